"""Go move notation: GTP vertices (``"D4"``, ``"pass"``) <-> PettingZoo ``go_v5`` actions at an explicit board
size (never PettingZoo's module-global one), and the text a person sees and types (``HumanAgent``). Used by
``GnuGoAgent``, ``az-pz gtp`` and the human player.

PettingZoo action ``row * N + col`` (row 0 at the top, ``N*N`` = pass) is GTP
``"ABCDEFGHJKLMNOPQRSTUVWXYZ"[col] + str(N - row)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

GTP_COLUMNS = "ABCDEFGHJKLMNOPQRSTUVWXYZ"
"""GTP column letters (no I)."""


def action_to_gtp(action: int, board_size: int) -> str:
    """PettingZoo go action -> GTP vertex (``"pass"`` for ``N*N``)."""
    if action == board_size * board_size:
        return "pass"
    row, col = divmod(int(action), board_size)
    return f"{GTP_COLUMNS[col]}{board_size - row}"


def gtp_to_action(vertex: str, board_size: int) -> int:
    """GTP vertex (``"D4"``, ``"pass"``) -> PettingZoo go action."""
    vertex = vertex.strip().upper()
    if vertex == "PASS":
        return board_size * board_size
    col, row = GTP_COLUMNS.index(vertex[0]), board_size - int(vertex[1:])
    if not (0 <= col < board_size and 0 <= row < board_size):
        raise ValueError(f"GTP vertex {vertex!r} is off a {board_size}x{board_size} board")
    return row * board_size + col


def move_text(env: Any, action: int) -> str:
    """``action`` as a GTP vertex on the live env's board: how records print it."""
    return action_to_gtp(action, int(env.unwrapped._N))


def render_text(env: Any) -> str:
    """The position of a live ``go_v5`` env as text, GTP coordinates on the edges."""
    raw = env.unwrapped
    size, board = int(raw._N), np.asarray(raw._go.board)
    rows = [f"{size - r:>2} " + " ".join({1: "X", -1: "O"}.get(int(v), ".") for v in board[r]) for r in range(size)]
    return "\n".join(rows + ["   " + " ".join(GTP_COLUMNS[:size])]) + "\n(X black, O white)"


def legal_moves_text(env: Any, mask: np.ndarray) -> dict[str, int]:
    """Legal moves (``mask``) of a live env as GTP vertices -> PettingZoo action."""
    return {action_to_gtp(int(a), int(env.unwrapped._N)): int(a) for a in np.flatnonzero(mask)}
