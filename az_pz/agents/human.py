"""HumanAgent ("human"): a person types moves at the terminal.

Each turn it prints the board as text and the legal moves in the game's own
notation (connect four columns, tic-tac-toe cells, chess SAN/UCI, go GTP
vertices), then reads a move; a bare action number is accepted in every game.
``quit`` (or end of input) raises :class:`HumanQuit`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TextIO

import numpy as np

from az_pz.agents.base import game_name, legal_mask, seat_of

_MARKS = "XO"


class HumanQuit(Exception):
    """The person at the terminal stopped the game."""


def render_text(env: Any) -> str:
    """The position of a live env as text, with the notation ``legal_moves_text`` uses."""
    name, raw = game_name(env), env.unwrapped
    if name.startswith("chess"):
        return f"{raw.board.unicode(empty_square='.')}\n{'White' if raw.board.turn else 'Black'} to move"
    if name.startswith("go"):
        from az_pz.agents.gnugo import GTP_COLUMNS

        size, board = int(raw._N), np.asarray(raw._go.board)
        rows = [f"{size - r:>2} " + " ".join({1: "X", -1: "O"}.get(int(v), ".") for v in board[r]) for r in range(size)]
        return "\n".join(rows + ["   " + " ".join(GTP_COLUMNS[:size])]) + "\n(X black, O white)"
    observation = np.asarray(env.observe(env.agent_selection)["observation"])
    if observation.ndim != 3 or observation.shape[-1] != 2:
        return f"(no text board for {name})"
    seat = seat_of(env)
    mine, theirs = _MARKS[seat % 2], _MARKS[(seat + 1) % 2]
    height, width = observation.shape[:2]
    cells = [
        [mine if observation[r, c, 0] else theirs if observation[r, c, 1] else None for c in range(width)]
        for r in range(height)
    ]
    if name.startswith("tictactoe"):
        rows = (" ".join(cell or str(r * width + c) for c, cell in enumerate(row)) for r, row in enumerate(cells))
        return "\n".join(rows)
    lines = [" ".join(cell or "." for cell in row) for row in cells]
    return "\n".join(lines + [" ".join(str(c) for c in range(width))])


def legal_moves_text(env: Any) -> dict[str, int]:
    """Legal moves of the agent to move: their notation -> PettingZoo action."""
    name, raw, mask = game_name(env), env.unwrapped, legal_mask(env)
    if name.startswith("chess"):
        from az_pz.agents.stockfish import move_to_action

        board = raw.board
        return {board.san(move): move_to_action(move, not board.turn) for move in board.legal_moves}
    if name.startswith("go"):
        from az_pz.agents.gnugo import action_to_gtp

        return {action_to_gtp(int(a), int(raw._N)): int(a) for a in np.flatnonzero(mask)}
    return {str(int(a)): int(a) for a in np.flatnonzero(mask)}


def parse_move(env: Any, text: str) -> int | None:
    """The action a typed move names, or None if it is not a legal move."""
    text = text.strip()
    moves = legal_moves_text(env)
    lowered = {key.lower(): value for key, value in moves.items()}
    if text.lower() in lowered:
        return lowered[text.lower()]
    if game_name(env).startswith("chess"):
        import chess

        try:
            move = chess.Move.from_uci(text.lower())
        except ValueError:
            move = None
        board = env.unwrapped.board
        if move is not None and move in board.legal_moves:
            return moves[board.san(move)]
    if text.isdigit():
        mask = legal_mask(env)
        if int(text) < mask.shape[0] and mask[int(text)]:
            return int(text)
    return None


class HumanAgent:
    """Asks a person for each move.

    Args:
        input_fn: reads one line (default: the builtin ``input``); tests pass a scripted one.
        output: where the board and prompts are printed (default: stdout).
    """

    def __init__(self, *, input_fn: Callable[[str], str] | None = None, output: TextIO | None = None) -> None:
        self.input_fn = input_fn
        """Reads a line given a prompt (None: the builtin ``input`` at call time)."""
        self.output = output
        """Text stream for the board and messages (None: sys.stdout at call time)."""

    def act(self, env: Any) -> int:
        out = self.output or sys.stdout
        print(f"\n{render_text(env)}", file=out)
        moves = legal_moves_text(env)
        print(f"legal moves ({env.agent_selection}): {' '.join(moves)}", file=out)
        while True:
            try:
                text = (self.input_fn or input)("your move> ")
            except EOFError:
                raise HumanQuit("end of input") from None
            if text.strip().lower() in ("quit", "exit", "q"):
                raise HumanQuit("quit")
            action = parse_move(env, text)
            if action is not None:
                return action
            print(f"not a legal move: {text.strip()!r}; type one of the moves listed, or quit", file=out)

    def reset(self) -> None:
        """Nothing to forget."""

    def __repr__(self) -> str:
        return "HumanAgent()"
