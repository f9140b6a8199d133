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


def _notation(env: Any) -> Any:
    """The ``notation`` module of the env's game package (:mod:`az_pz.adapters.games`), or None."""
    from az_pz.adapters.games import game_part

    return game_part(game_name(env), "notation")


def render_text(env: Any) -> str:
    """The position of a live env as text, with the notation ``legal_moves_text`` uses."""
    notation = _notation(env)
    if hasattr(notation, "render_text"):
        return notation.render_text(env)
    observation = np.asarray(env.observe(env.agent_selection)["observation"])
    if observation.ndim != 3 or observation.shape[-1] != 2:
        return f"(no text board for {game_name(env)})"
    seat = seat_of(env)
    mine, theirs = _MARKS[seat % 2], _MARKS[(seat + 1) % 2]
    height, width = observation.shape[:2]
    cells = [
        [mine if observation[r, c, 0] else theirs if observation[r, c, 1] else None for c in range(width)]
        for r in range(height)
    ]
    if hasattr(notation, "render_cells"):
        return notation.render_cells(cells)
    lines = [" ".join(cell or "." for cell in row) for row in cells]
    return "\n".join(lines + [" ".join(str(c) for c in range(width))])


def legal_moves_text(env: Any) -> dict[str, int]:
    """Legal moves of the agent to move: their notation -> PettingZoo action."""
    notation, mask = _notation(env), legal_mask(env)
    if hasattr(notation, "legal_moves_text"):
        return notation.legal_moves_text(env, mask)
    return {str(int(a)): int(a) for a in np.flatnonzero(mask)}


def parse_move(env: Any, text: str) -> int | None:
    """The action a typed move names, or None if it is not a legal move."""
    text = text.strip()
    moves = legal_moves_text(env)
    lowered = {key.lower(): value for key, value in moves.items()}
    if text.lower() in lowered:
        return lowered[text.lower()]
    notation = _notation(env)
    if hasattr(notation, "parse_move"):  # chess: UCI as well as SAN
        action = notation.parse_move(env, text)
        if action is not None:
            return action
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
