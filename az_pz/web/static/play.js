// The play page: a person against the agent served by az-pz serve. State lives on the server
// (GET /api/games/{id}); this page draws it, sends clicks as moves and asks for the agent's replies.
import { get, post } from "./api.js";
import { GAME_NAMES, renderBoard, seatName } from "./boards.js";

const $ = (id) => document.getElementById(id);
let info = null;
let state = null;
let pieces = null;
let busy = false;

function setPhase(phase, text) {
  document.body.dataset.phase = phase;
  $("status").textContent = text;
}

function refuse(text) {
  const message = $("message");
  message.textContent = text;
  message.className = "error";
  const board = $("board");
  board.classList.remove("shake");
  void board.offsetWidth; // restart the animation
  board.classList.add("shake");
}

function clearMessage() {
  $("message").textContent = "";
  $("message").className = "";
}

function render() {
  const kind = state.kind;
  const last = state.moves.length ? state.moves[state.moves.length - 1].action : null;
  renderBoard($("board"), state.board, {
    onMove: move, onRefuse: refuse, pieces, lastAction: last,
    flip: kind === "chess" && state.human_seat === 1, promotion: () => $("promotion").value,
  });
  $("pass").hidden = kind !== "go";
  $("promotion-label").hidden = kind !== "chess";
  const you = seatName(kind, state.human_seat);
  if (state.over) setPhase("over", `${state.result} (you played ${you})`);
  else if (state.your_turn) setPhase("your-turn", `Your move (${you}).`);
  else setPhase("agent-turn", "The agent is thinking...");
  $("moves").replaceChildren(...state.moves.map((m) => {
    const item = document.createElement("li");
    item.textContent = `${seatName(kind, m.seat)}: ${m.label}`;
    if (m.seat === state.human_seat) item.className = "mine";
    return item;
  }));
  renderAnalysis(state.analysis);
  history.replaceState(null, "", `#${state.id}`);
}

function renderAnalysis(analysis) {
  const body = $("top-moves").querySelector("tbody");
  body.replaceChildren();
  if (!analysis) {
    $("value").textContent = "No agent move yet.";
    $("value-bar").style.width = "50%";
    return;
  }
  const time = `${analysis.seconds.toFixed(2)} s`;
  if (analysis.value === null) {
    $("value").textContent = `The agent played ${analysis.label} (${time}); it does not search, so it shows no estimate.`;
    $("value-bar").style.width = "50%";
    return;
  }
  const value = analysis.value;
  let text = `The agent played ${analysis.label} after ${analysis.simulations} simulations (${time}). `
    + `Its value estimate: ${value >= 0 ? "+" : ""}${value.toFixed(2)} (from -1, a sure loss, to +1, a sure win, for the agent)`;
  if (analysis.network_value !== null) text += `; network alone ${analysis.network_value.toFixed(2)}`;
  $("value").textContent = `${text}.`;
  $("value").dataset.value = value.toFixed(3);
  $("value-bar").style.width = `${Math.round(((value + 1) / 2) * 100)}%`;
  for (const m of analysis.top_moves) {
    const row = document.createElement("tr");
    if (m.action === analysis.action) row.className = "played";
    for (const cell of [m.label, m.visits, `${(m.share * 100).toFixed(1)}%`, `${(m.prior * 100).toFixed(1)}%`]) {
      const td = document.createElement("td");
      td.textContent = cell;
      row.append(td);
    }
    body.append(row);
  }
}

async function agentTurns() {
  while (state && !state.over && !state.your_turn) {
    setPhase("agent-turn", "The agent is thinking...");
    const simulations = $("simulations").disabled ? undefined : Number($("simulations").value) || undefined;
    state = await post(`/api/games/${state.id}/agent`, { simulations });
    render();
  }
}

async function guarded(work) {
  if (busy) {
    refuse("wait: the agent is still thinking");
    return;
  }
  busy = true;
  try {
    await work();
  } catch (error) {
    if (state) render();
    if (state && !state.over && !state.your_turn) {
      setPhase("agent-failed", "The agent did not move: reload the page to ask it again, or start a new game.");
    }
    refuse(error.message);
  } finally {
    busy = false;
  }
}

function move(payload) {
  if (!state || state.over) return refuse("the game is over: start a new game");
  if (!state.your_turn) return refuse("it is not your turn: wait for the agent's move");
  return guarded(async () => {
    clearMessage();
    state = await post(`/api/games/${state.id}/move`, payload);
    render();
    await agentTurns();
  });
}

function newGame() {
  return guarded(async () => {
    clearMessage();
    state = await post("/api/games", { game: $("game").value, seat: $("seat").value === "random" ? "random" : Number($("seat").value) });
    render();
    await agentTurns();
  });
}

function takeBack() {
  if (!state) return;
  return guarded(async () => {
    clearMessage();
    state = await post(`/api/games/${state.id}/undo`);
    render();
    await agentTurns();
  });
}

async function start() {
  info = await get("/api/info");
  pieces = await get("/api/chess/pieces");
  $("agent").textContent = `against ${info.agent}`;
  $("viewer-link").hidden = !info.records;
  for (const { game } of info.games) {
    const option = document.createElement("option");
    option.value = game;
    option.textContent = GAME_NAMES[game.replace(/_v\d+$/, "")] ?? game;
    $("game").append(option);
  }
  const sims = $("simulations");
  if (info.simulations === null) {
    sims.disabled = true;
    sims.placeholder = "n/a";
    sims.title = "this agent does not search";
  } else {
    sims.value = info.simulations;
    sims.max = info.max_simulations;
  }
  $("new-game").addEventListener("click", newGame);
  $("take-back").addEventListener("click", takeBack);
  $("pass").addEventListener("click", () => move({ move: "pass" }));
  const id = location.hash.slice(1);
  if (id) {
    try {
      state = await get(`/api/games/${id}`);
      $("game").value = state.game;
      render();
      return guarded(agentTurns);
    } catch (error) {
      refuse(error.message);
    }
  }
  return newGame();
}

start().catch((error) => refuse(error.message));
