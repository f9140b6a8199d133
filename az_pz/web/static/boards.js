// Board drawing for the four games. Each renderer draws a position (a view from the server, see
// az_pz/web/boards.py) into a container; clicks become moves through options.onMove(payload), where
// payload is {action: n} or {move: "e2e4"} and the server decides whether the move is legal.
// options: {onMove, onRefuse, flip, lastAction, pieces (chess SVGs), promotion () => "q"}.
// Without onMove (the record viewer) the board only shows.

const SVG = "http://www.w3.org/2000/svg";
const GTP_COLUMNS = "ABCDEFGHJKLMNOPQRSTUVWXYZ";

function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function svg(tag, attrs = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  return node;
}

export function renderBoard(container, view, options = {}) {
  container.replaceChildren();
  container.dataset.kind = view.kind;
  const draw = { tictactoe: drawTicTacToe, connect_four: drawConnectFour, chess: drawChess, go: drawGo }[view.kind];
  if (!draw) {
    container.textContent = `no board for ${view.kind}`;
    return;
  }
  draw(container, view, options);
}

function drawTicTacToe(container, view, options) {
  const grid = el("div", { class: "grid tictactoe" });
  view.cells.forEach((value, i) => {
    const cell = el("button", { class: "cell", "data-cell": i, "aria-label": `square ${i}` }, ["", "X", "O"][value]);
    if (value) cell.classList.add(value === 1 ? "first" : "second");
    if (i === options.lastAction) cell.classList.add("last");
    if ((view.win || []).includes(i)) cell.classList.add("win");
    if (options.onMove) cell.addEventListener("click", () => options.onMove({ action: i }));
    grid.append(cell);
  });
  container.append(grid);
}

function drawConnectFour(container, view, options) {
  const grid = el("div", { class: "grid connect-four" });
  let last = -1;
  if (options.lastAction !== undefined && options.lastAction !== null) {
    for (let r = 0; r < view.rows; r++) {
      if (view.cells[r * view.cols + options.lastAction]) { last = r * view.cols + options.lastAction; break; }
    }
  }
  for (let r = 0; r < view.rows; r++) {
    for (let c = 0; c < view.cols; c++) {
      const value = view.cells[r * view.cols + c];
      const cell = el("div", { class: "cell", "data-row": r, "data-col": c });
      const disc = el("div", { class: `disc ${["", "first", "second"][value]}` });
      if (r * view.cols + c === last) disc.classList.add("last");
      if ((view.win || []).includes(r * view.cols + c)) disc.classList.add("win");
      cell.append(disc);
      if (options.onMove) cell.addEventListener("click", () => options.onMove({ action: c }));
      grid.append(cell);
    }
  }
  for (let c = 0; c < view.cols; c++) grid.append(el("div", { class: "label" }, String(c)));
  container.append(grid);
}

function drawChess(container, view, options) {
  const grid = el("div", { class: "grid chess" });
  const files = "abcdefgh";
  const selected = container._selected && view.legal.some((m) => m.from === container._selected)
    ? container._selected : null;
  const targets = new Set(view.legal.filter((m) => m.from === selected).map((m) => m.to));
  const lastMove = view.last_move ? [view.last_move.slice(0, 2), view.last_move.slice(2, 4)] : [];
  for (let row = 0; row < 8; row++) {
    for (let col = 0; col < 8; col++) {
      const rank = options.flip ? row + 1 : 8 - row;
      const file = files[options.flip ? 7 - col : col];
      const name = `${file}${rank}`;
      const square = el("div", { class: `square ${(row + col) % 2 ? "dark" : "light"}`, "data-square": name });
      const piece = view.squares[name];
      if (piece) {
        square.dataset.piece = piece;
        const glyph = el("div", { class: "piece" });
        glyph.innerHTML = (options.pieces && options.pieces[piece]) || piece;
        square.append(glyph);
      }
      if (name === selected) square.classList.add("selected");
      if (targets.has(name)) square.classList.add("target");
      if (lastMove.includes(name)) square.classList.add("last");
      if (name === view.check) square.classList.add("check");
      if (col === 0) square.append(el("span", { class: "coord rank" }, String(rank)));
      if (row === 7) square.append(el("span", { class: "coord file" }, file));
      if (options.onMove) square.addEventListener("click", () => chessClick(container, view, options, name));
      grid.append(square);
    }
  }
  container.append(grid);
}

function chessClick(container, view, options, name) {
  const from = container._selected;
  const movesFrom = (square) => view.legal.filter((m) => m.from === square);
  const redraw = (square) => {
    container._selected = square;
    renderBoard(container, view, options);
  };
  if (from) {
    if (from === name) return redraw(null);
    const candidates = movesFrom(from).filter((m) => m.to === name);
    if (candidates.length) {
      const promotion = options.promotion ? options.promotion() : "q";
      const move = candidates.find((m) => m.promotion === promotion) || candidates.find((m) => !m.promotion)
        || candidates[0];
      container._selected = null;
      return options.onMove({ move: move.uci });
    }
    if (movesFrom(name).length) return redraw(name);
    container._selected = null;
    return options.onMove({ move: `${from}${name}` }); // not legal: the server says why, visibly
  }
  if (movesFrom(name).length) return redraw(name);
  if (options.onRefuse) options.onRefuse(`no move of yours starts on ${name}: click one of your pieces that can move`);
}

function drawGo(container, view, options) {
  const n = view.size;
  const step = 36;
  const margin = 36;
  const extent = margin * 2 + step * (n - 1);
  const board = svg("svg", { class: "go", viewBox: `0 0 ${extent} ${extent}`, width: extent, height: extent });
  board.append(svg("rect", { x: 0, y: 0, width: extent, height: extent, class: "wood" }));
  const at = (i) => margin + i * step;
  for (let i = 0; i < n; i++) {
    board.append(svg("line", { x1: at(0), y1: at(i), x2: at(n - 1), y2: at(i), class: "line" }));
    board.append(svg("line", { x1: at(i), y1: at(0), x2: at(i), y2: at(n - 1), class: "line" }));
    const column = svg("text", { x: at(i), y: 14, class: "coord" });
    column.textContent = GTP_COLUMNS[i];
    const row = svg("text", { x: 10, y: at(i) + 4, class: "coord" });
    row.textContent = String(n - i);
    board.append(column, row);
  }
  for (const [r, c] of starPoints(n)) board.append(svg("circle", { cx: at(c), cy: at(r), r: 3, class: "star" }));
  view.cells.forEach((value, i) => {
    const r = Math.floor(i / n);
    const c = i % n;
    if (value) {
      board.append(svg("circle", { cx: at(c), cy: at(r), r: step * 0.46, class: `stone ${value === 1 ? "black" : "white"}`,
                                   "data-stone": `${r},${c}` }));
      if (i === options.lastAction) board.append(svg("circle", { cx: at(c), cy: at(r), r: step * 0.18, class: "last" }));
    }
    if (options.onMove) {
      const point = svg("circle", { cx: at(c), cy: at(r), r: step / 2, class: "point", "data-point": `${r},${c}` });
      point.addEventListener("click", () => options.onMove({ action: i }));
      board.append(point);
    }
  });
  container.append(board);
}

function starPoints(n) {
  const lines = n >= 13 ? [3, Math.floor(n / 2), n - 4] : n >= 9 ? [2, Math.floor(n / 2), n - 3] : [];
  const points = [];
  for (const r of lines) for (const c of lines) points.push([r, c]);
  return n % 2 ? points : points.filter(([r, c]) => r !== Math.floor(n / 2) && c !== Math.floor(n / 2));
}

export const GAME_NAMES = { tictactoe: "Tic-tac-toe", connect_four: "Connect four", chess: "Chess", go: "Go" };

export function seatName(kind, seat) {
  return {
    tictactoe: ["X", "O"], connect_four: ["red", "yellow"], chess: ["White", "Black"], go: ["Black", "White"],
  }[kind]?.[seat] ?? `seat ${seat}`;
}
