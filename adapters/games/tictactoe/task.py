"""Tic-tac-toe as a fast native Task, identical to PettingZoo's ``tictactoe_v3``.

Rules as PettingZoo plays them (``pettingzoo/classic/tictactoe``):

* Seats: 0 = ``player_1`` (X, moves first), 1 = ``player_2`` (O).
* Board: ``squares[i]`` is 0 (empty), 1 (seat 0's mark) or 2 (seat 1's mark).
  Action ``i`` marks square ``i``. On screen the squares run column by column
  (``0 3 6 / 1 4 7 / 2 5 8``), but the observation reshapes them row by row:
  ``observation[i // 3, i % 3]`` is square ``i``. Everything here (observation,
  symmetries) uses the observation's layout, so action ``i`` is cell
  ``(i // 3, i % 3)`` of every plane.
* Observation, float32 ``[2, 3, 3]`` (PettingZoo's int8 ``[3, 3, 2]`` moved
  channels first): plane 0 the marks of the player to move, plane 1 the
  opponent's.
* A line of three wins: +1 to the winner, -1 to the loser; a full board with
  no line is a draw (0, 0). Rewards come only on the final step; nothing is
  ever truncated. After the final step PettingZoo still passes the turn on,
  so ``to_play`` of a terminal state is the seat after the last mover, and its
  legal mask is PettingZoo's (the empty squares).

A state is a plain ``int``: the board in base 3, ``sum(squares[i] * 3**i)``
(0 is the empty board). All ``3**9`` boards are tabulated once at import
(successor, observation, mask, outcome), so ``step``, ``observe`` and
``legal_mask`` are table look-ups and a state costs nothing to copy.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from az_pz.adapters.native import NativeTask, write_turn

__all__ = ["TicTacToeTask", "squares_to_state", "state_to_squares"]

_NUM_BOARDS = 3**9
_POWERS = 3 ** np.arange(9, dtype=np.int64)
_LINES = ((0, 1, 2), (3, 4, 5), (6, 7, 8), (0, 3, 6), (1, 4, 7), (2, 5, 8), (0, 4, 8), (2, 4, 6))


def _build_tables() -> dict[str, Any]:
    """Tabulate every board once (vectorised; a few milliseconds)."""
    codes = np.arange(_NUM_BOARDS, dtype=np.int64)
    squares = (codes[:, None] // _POWERS) % 3  # [B, 9]
    count_1 = (squares == 1).sum(axis=1)
    count_2 = (squares == 2).sum(axis=1)
    to_play = (count_1 > count_2).astype(np.int64)  # seat 0 moves when the counts are equal
    lines = squares[:, np.array(_LINES)]  # [B, 8, 3]
    win_1 = (lines == 1).all(axis=2).any(axis=1)
    win_2 = (lines == 2).all(axis=2).any(axis=1)
    empty = squares == 0
    full = ~empty.any(axis=1)
    terminal = win_1 | win_2 | full
    rewards = np.zeros((_NUM_BOARDS, 2), dtype=np.float32)
    # PettingZoo's Board.game_status reports player 1's line first; on reachable boards only one side has one.
    rewards[win_1] = (1.0, -1.0)
    rewards[win_2 & ~win_1] = (-1.0, 1.0)
    mover_mark = (to_play + 1)[:, None]
    observation = np.stack([squares == mover_mark, squares == 3 - mover_mark], axis=1)
    successor = np.where(empty & ~terminal[:, None], codes[:, None] + mover_mark * _POWERS, -1)
    for table in (rewards, observation, empty):
        table.setflags(write=False)
    return {
        "successor": successor.tolist(),
        "terminal": terminal.tolist(),
        "to_play": to_play.tolist(),
        "rewards": rewards,
        "observation": observation.reshape(_NUM_BOARDS, 2, 3, 3).astype(np.float32),
        "legal": empty,
        "valid": (count_1 - count_2 >= 0) & (count_1 - count_2 <= 1),
    }


_TABLES = _build_tables()
_SUCCESSOR: list[list[int]] = _TABLES["successor"]
_TERMINAL: list[bool] = _TABLES["terminal"]
_TO_PLAY: list[int] = _TABLES["to_play"]
_REWARDS: np.ndarray = _TABLES["rewards"]  # float32 [3**9, 2] rewards of the step that reached the board
_OBSERVATION: np.ndarray = _TABLES["observation"]  # float32 [3**9, 2, 3, 3]
_LEGAL: np.ndarray = _TABLES["legal"]  # bool [3**9, 9]

# The 8 symmetries of the square on the observation's [3, 3] grid: (k quarter turns, then transpose?).
_DIHEDRAL = tuple((turns, transpose) for transpose in (False, True) for turns in range(4))


def squares_to_state(squares: Sequence[int]) -> int:
    """PettingZoo's ``board.squares`` (9 values in 0..2) -> state."""
    return int(np.dot(np.asarray(squares, dtype=np.int64), _POWERS))


def state_to_squares(state: int) -> list[int]:
    """State -> PettingZoo's ``board.squares`` (a new list of 9 values in 0..2)."""
    return [int(v) for v in (state // _POWERS) % 3]


class TicTacToeTask(NativeTask[int]):
    """Fast ``tictactoe_v3``: states are base-3 board codes, every method a table look-up."""

    env_id = "classic/tictactoe-v3"
    env_module = "pettingzoo.classic.tictactoe.tictactoe"

    def __init__(self, **env_kwargs: Any) -> None:
        super().__init__(**env_kwargs)
        self.spec = self._single_phase_spec("tictactoe_v3", (2, 3, 3), 9, "place")

    # --- Task protocol --------------------------------------------------------------------

    def initial_state(self, seed: int | None = None) -> int:
        """The empty board (tic-tac-toe has no randomness; ``seed`` is ignored)."""
        return 0

    def to_play(self, state: int) -> int:
        return _TO_PLAY[state]

    def legal_mask(self, state: int) -> np.ndarray:
        """bool ``[9]``: the empty squares (as PettingZoo, also on a terminal board)."""
        return _LEGAL[state].copy()

    def observe(self, state: int) -> np.ndarray:
        """float32 ``[2, 3, 3]``: plane 0 the mover's marks, plane 1 the opponent's."""
        return _OBSERVATION[state].copy()

    def step(self, state: int, action: int) -> tuple[int, np.ndarray]:
        """Mark square ``action``; rewards float32 ``[2]`` in seat order."""
        child = _SUCCESSOR[state][action] if action >= 0 else -1
        if child < 0:
            raise ValueError(f"illegal tic-tac-toe action {action} on\n{self.render(state)}")
        return child, _REWARDS[child].copy()

    def is_terminal(self, state: int) -> bool:
        return _TERMINAL[state]

    # --- extras -----------------------------------------------------------------------------

    def key(self, state: int) -> int:
        """Transposition key: the state itself."""
        return state

    def copy_state(self, state: int) -> int:
        """States are immutable ints: the copy is the state."""
        return state

    def returns(self, state: int) -> np.ndarray:
        """float32 ``[2]``: the final rewards of a terminal board (zeros otherwise)."""
        return _REWARDS[state].copy()

    def symmetries(
        self, observation: np.ndarray, policy: np.ndarray, phase: int = 0
    ) -> list[tuple[np.ndarray, np.ndarray]]:
        """The 8 dihedral images of (observation ``[2, 3, 3]``, policy ``[9]``), identity first.

        Action ``i`` is cell ``(i // 3, i % 3)`` of the observation, so turning
        the policy as a ``[3, 3]`` grid with the planes keeps them consistent.
        """
        grid = np.asarray(policy).reshape(3, 3)
        pairs = []
        for turns, transpose in _DIHEDRAL:
            obs = np.rot90(observation, turns, axes=(1, 2))
            pol = np.rot90(grid, turns)
            if transpose:
                obs, pol = obs.transpose(0, 2, 1), pol.T
            pairs.append((np.ascontiguousarray(obs), np.ascontiguousarray(pol).reshape(9)))
        return pairs

    def render(self, state: int) -> str:
        """The board as PettingZoo draws it (square ``i`` at column ``i // 3``, row ``i % 3``)."""
        marks = [".XO"[v] for v in state_to_squares(state)]
        rows = [" ".join(marks[col * 3 + row] for col in range(3)) for row in range(3)]
        return "\n".join(rows)

    # --- PettingZoo env conversion -------------------------------------------------------------

    def _read_env(self, raw: Any) -> int:
        squares = list(raw.board.squares)
        if len(squares) != 9 or any(v not in (0, 1, 2) for v in squares):
            raise ValueError(f"not a tic-tac-toe board: {squares}")
        state = squares_to_state(squares)
        if not _TABLES["valid"][state]:
            raise ValueError(f"unreachable tic-tac-toe board (mark counts): {squares}")
        if any(raw.terminations.values()) and not _TERMINAL[state]:
            raise ValueError("the env's game was ended by an illegal move; it has no fast state")
        return state

    def _write_env(self, state: int, raw: Any) -> None:
        raw.board.squares = state_to_squares(state)
        write_turn(raw, _TO_PLAY[state], _REWARDS[state], _TERMINAL[state])
