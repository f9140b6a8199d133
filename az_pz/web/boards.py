"""What the page draws: a live PettingZoo env as JSON (board, legal moves, move labels).

The browser never decides what is legal: each view carries the legal moves of the player to move, each with
its PettingZoo ``action``, its label in the notation ``az-pz play`` uses (chess SAN, go GTP vertices, column
and square numbers) and what the page needs to find it under a click (a column, a square, a from/to pair, an
intersection). The server checks every move it is sent against the live env again.

Views by game (``kind``):

* ``tictactoe``: ``cells`` ``[9]`` (0 empty, 1 first player's mark, 2 second's); square ``i`` is row ``i // 3``,
  column ``i % 3`` (the layout of PettingZoo's observation); a legal move's ``cell`` is its square; ``win``
  the squares of a winning line (``[]`` while there is none).
* ``connect_four``: ``rows`` 6, ``cols`` 7, ``cells`` ``[42]`` row-major from the top (0 empty, 1 or 2 the seat
  + 1); a legal move's ``column`` is its action; ``win`` the cells of a four in a row.
* ``chess``: ``fen``, ``squares`` ``{name: piece symbol}`` (``"e1": "K"``), ``check`` (square of a king in
  check or None); a legal move has ``uci``, ``from``, ``to`` and ``promotion`` (``"q"``... or None).
* ``go``: ``size``, ``komi``, ``cells`` ``[size*size]`` row-major from the top (0 empty, 1 black, 2 white);
  a legal move has ``point`` ``[row, col]`` or ``pass: true``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from az_pz.agents.base import game_name, legal_mask

KINDS = ("tictactoe", "connect_four", "chess", "go")
"""Games the page can draw (PettingZoo module names without the version)."""


def kind_of(game: str) -> str:
    """``"connect_four_v3"`` -> ``"connect_four"``; a ValueError for a game the page cannot draw."""
    from az_pz.games import canonical_name

    base = canonical_name(game).rpartition("_v")[0]
    if base not in KINDS:
        raise ValueError(f"the browser board draws {', '.join(KINDS)}, not {game!r}")
    return base


def move_labels(env: Any) -> dict[int, str]:
    """Legal action -> its label for the player to move (empty once the game is over)."""
    from az_pz.agents.human import legal_moves_text

    name = env.agent_selection
    if env.terminations.get(name) or env.truncations.get(name) or not legal_mask(env).any():
        return {}  # a finished game: connect four still shows the mover's mask
    return {action: text for text, action in legal_moves_text(env).items()}


def board_view(env: Any, with_legal: bool = True) -> dict[str, Any]:
    """The position and (``with_legal``) the legal moves of a live env, for the page (see the module docstring)."""
    kind = kind_of(game_name(env))
    raw = env.unwrapped
    view: dict[str, Any] = {"kind": kind}
    if kind == "chess":
        view.update(_chess_view(raw.board))
    elif kind == "go":
        board = np.asarray(raw._go.board)
        view.update(size=int(raw._N), komi=float(raw._komi),
                    cells=[int(v) for v in np.where(board == 1, 1, np.where(board == -1, 2, 0)).reshape(-1)])
    elif kind == "connect_four":
        cells = [int(v) for v in raw.board]
        view.update(rows=6, cols=7, cells=cells, win=winning_line(cells, 6, 7, 4))
    else:
        cells = [int(v) for v in raw.board.squares]
        view.update(cells=cells, win=winning_line(cells, 3, 3, 3))
    view["legal"] = legal_moves(env, kind) if with_legal else []
    return view


def winning_line(cells: list[int], rows: int, cols: int, length: int) -> list[int]:
    """Indices of the first ``length`` equal non-empty cells in a row, column or diagonal (row-major
    ``cells``), or ``[]``: the page marks the line that won."""
    for r in range(rows):
        for c in range(cols):
            first = cells[r * cols + c]
            if not first:
                continue
            for dr, dc in ((0, 1), (1, 0), (1, 1), (1, -1)):
                end_r, end_c = r + dr * (length - 1), c + dc * (length - 1)
                if not (0 <= end_r < rows and 0 <= end_c < cols):
                    continue
                line = [(r + dr * k) * cols + c + dc * k for k in range(length)]
                if all(cells[i] == first for i in line):
                    return line
    return []


def legal_moves(env: Any, kind: str) -> list[dict[str, Any]]:
    """The legal moves of the player to move, each with ``action``, ``label`` and the keys of ``kind``."""
    labels = move_labels(env)
    moves = []
    for action, label in sorted(labels.items()):
        move: dict[str, Any] = {"action": int(action), "label": label}
        if kind == "connect_four":
            move["column"] = int(action)
        elif kind == "tictactoe":
            move["cell"] = int(action)
        elif kind == "go":
            size = int(env.unwrapped._N)
            if action == size * size:
                move["pass"] = True
            else:
                move["point"] = [int(action) // size, int(action) % size]
        elif kind == "chess":
            move.update(_chess_move(env.unwrapped.board, label))
        moves.append(move)
    return moves


def _chess_view(board: Any) -> dict[str, Any]:
    import chess

    king = board.king(board.turn) if board.is_check() else None
    return {"fen": board.fen(),
            "squares": {chess.square_name(s): p.symbol() for s, p in board.piece_map().items()},
            "check": chess.square_name(king) if king is not None else None,
            "last_move": board.peek().uci() if board.move_stack else None}


def _chess_move(board: Any, san: str) -> dict[str, Any]:
    import chess

    move = board.parse_san(san)
    promotion = chess.piece_symbol(move.promotion) if move.promotion else None
    return {"uci": move.uci(), "from": chess.square_name(move.from_square),
            "to": chess.square_name(move.to_square), "promotion": promotion}


def chess_piece_svgs() -> dict[str, str]:
    """python-chess's SVG drawing of each piece, by symbol (``"K"``, ``"p"``...): the page needs no font."""
    import chess
    import chess.svg

    return {symbol: chess.svg.piece(chess.Piece.from_symbol(symbol)) for symbol in "KQRBNPkqrbnp"}
