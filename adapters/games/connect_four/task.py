"""Connect four as a fast native Task, identical to PettingZoo's ``connect_four_v3``.

Rules as PettingZoo plays them (``pettingzoo/classic/connect_four``):

* Seats: 0 = ``player_0`` (moves first), 1 = ``player_1``.
* Board: 6 rows x 7 columns, row 0 at the top; action ``c`` drops a piece in
  column ``c`` (legal while the top cell of the column is empty).
* Observation, float32 ``[2, 6, 7]`` (PettingZoo's int8 ``[6, 7, 2]`` moved
  channels first): plane 0 the pieces of the player to move, plane 1 the
  opponent's.
* Four in a row (horizontal, vertical, either diagonal) wins: +1 to the mover,
  -1 to the other; a full board without one is a draw (0, 0). Rewards come
  only on the final step; nothing is ever truncated. After the final step
  PettingZoo still passes the turn on, so ``to_play`` of a terminal state is
  the seat after the last mover, and its legal mask is PettingZoo's (the
  columns whose top cell is empty).

A state is a small immutable :class:`ConnectFourState` tuple holding one
bitboard per seat. Bit ``8 * row + col`` is cell ``(row, col)``: rows are
bytes (byte ``r`` is row ``r``), and the unused eighth bit of each byte keeps
shifted lines from wrapping into the next row, so a win test is four
shift-and-AND pairs.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numba
import numpy as np

from az_pz.adapters.native import NativeTask, write_turn

__all__ = ["ConnectFourState", "ConnectFourTask", "ONGOING", "WON_0", "WON_1", "DRAW"]

ROWS, COLS = 6, 7
ONGOING, WON_0, WON_1, DRAW = 0, 1, 2, 3
"""``ConnectFourState.outcome`` values (``WON_0 + seat`` is that seat's win)."""

_COLUMN = tuple(sum(1 << (8 * r + c) for r in range(ROWS)) for c in range(COLS))
_BOTTOM = tuple(1 << (8 * (ROWS - 1) + c) for c in range(COLS))
_FULL = sum(_COLUMN)
_COLUMN_0, _BOTTOM_0 = _COLUMN[0], _BOTTOM[0]
_TOP_ROW = (1 << COLS) - 1
_REWARDS = tuple(np.array(r, dtype=np.float32) for r in ((0, 0), (1, -1), (-1, 1), (0, 0)))
"""float32 [2] rewards in seat order, by outcome (returned as copies)."""
_LEGAL = tuple(np.array([not (byte >> c) & 1 for c in range(COLS)], dtype=bool) for byte in range(128))
"""bool [7] legal columns, by the occupied top-row byte (returned as copies)."""


class ConnectFourState(NamedTuple):
    """Immutable connect four position (share it freely; ``step`` makes a new one)."""

    bits_0: int
    """Bitboard of seat 0's pieces (bit ``8 * row + col``, row 0 at the top)."""
    bits_1: int
    """Bitboard of seat 1's pieces."""
    to_play: int
    """Seat to move (on a terminal state: the seat after the last mover, as in PettingZoo)."""
    outcome: int
    """ONGOING, WON_0, WON_1 or DRAW."""


_new_state = tuple.__new__


def connects_four(bits: int) -> bool:
    """Whether a bitboard holds four in a row (horizontal, vertical, both diagonals).

    ``pairs`` marks cells whose neighbour ``shift`` bits on is also set; two
    such pairs ``2 * shift`` apart make four in a row. Unrolled: this is the
    hot path of ``step``.
    """
    pairs = bits & (bits >> 1)
    if pairs & (pairs >> 2):
        return True
    pairs = bits & (bits >> 8)
    if pairs & (pairs >> 16):
        return True
    pairs = bits & (bits >> 7)
    if pairs & (pairs >> 14):
        return True
    pairs = bits & (bits >> 9)
    return bool(pairs & (pairs >> 18))


@numba.njit(cache=True)
def _drop(bits_0: int, bits_1: int, to_play: int, action: int) -> tuple[int, int, int, int]:
    """Drop ``to_play``'s piece in column ``action``: the next state's fields (outcome -1: illegal).

    Compiled because this is the search's hot path (about twice as fast as
    the same lines in Python, whose 48-bit ints are slow multi-digit ints).
    """
    if action < 0 or action >= COLS:
        return bits_0, bits_1, to_play, -1
    column = (bits_0 | bits_1) & (_COLUMN_0 << action)
    if column:
        # The lowest set bit of a column is its topmost piece; the cell above it is one row (8 bits) up.
        cell = (column & -column) >> 8
        if not cell:
            return bits_0, bits_1, to_play, -1
    else:
        cell = _BOTTOM_0 << action
    if to_play:
        bits_1 |= cell
        mine = bits_1
    else:
        bits_0 |= cell
        mine = bits_0
    for shift in (1, 8, 7, 9):
        pairs = mine & (mine >> shift)
        if pairs & (pairs >> (2 * shift)):
            return bits_0, bits_1, 1 - to_play, WON_0 + to_play
    if (bits_0 | bits_1) == _FULL:
        return bits_0, bits_1, 1 - to_play, DRAW
    return bits_0, bits_1, 1 - to_play, ONGOING


@numba.njit(cache=True)
def _ending_columns(bits_0: int, bits_1: int, to_play: int) -> tuple[int, int]:
    """Columns whose drop ends the game, as two bit sets ``(wins for the mover, draws)`` (the solver's
    terminal children: one compiled call instead of seven ``step`` calls)."""
    wins = 0
    draws = 0
    for action in range(COLS):
        outcome = _drop(bits_0, bits_1, to_play, action)[3]
        if outcome == DRAW:
            draws |= 1 << action
        elif outcome > 0:
            wins |= 1 << action
    return wins, draws


@numba.njit(cache=True)
def _planes(bits_0: int, bits_1: int, to_play: int) -> np.ndarray:
    """float32 [2, 6, 7]: the mover's then the opponent's cells (compiled: 2x any NumPy composition)."""
    mine, theirs = (bits_1, bits_0) if to_play else (bits_0, bits_1)
    out = np.empty((2, ROWS, COLS), np.float32)
    for row in range(ROWS):
        for col in range(COLS):
            bit = 8 * row + col
            out[0, row, col] = (mine >> bit) & 1
            out[1, row, col] = (theirs >> bit) & 1
    return out


def board_to_bits(board: list[int]) -> tuple[int, int]:
    """PettingZoo's flat ``board`` (42 values, row-major, 1/2 = seat 0/1) -> the two bitboards."""
    bits = [0, 0, 0]
    for index, value in enumerate(board):
        bits[value] |= 1 << (8 * (index // COLS) + index % COLS)
    return bits[1], bits[2]


def bits_to_board(bits_0: int, bits_1: int) -> list[int]:
    """The two bitboards -> PettingZoo's flat ``board`` (a new list of 42 values)."""
    board = []
    for row in range(ROWS):
        for col in range(COLS):
            bit = 1 << (8 * row + col)
            board.append(1 if bits_0 & bit else 2 if bits_1 & bit else 0)
    return board


def state_from_bits(bits_0: int, bits_1: int) -> ConnectFourState:
    """A state from two bitboards, deciding the outcome as PettingZoo would have."""
    count_0, count_1 = bits_0.bit_count(), bits_1.bit_count()
    if bits_0 & bits_1 or (bits_0 | bits_1) & ~_FULL or count_0 - count_1 not in (0, 1):
        raise ValueError("not a reachable connect four position")
    to_play = 0 if count_0 == count_1 else 1
    if connects_four(bits_1 if to_play == 0 else bits_0):  # only the last mover can have a line
        outcome = WON_1 if to_play == 0 else WON_0
    elif (bits_0 | bits_1) == _FULL:
        outcome = DRAW
    else:
        outcome = ONGOING
    return ConnectFourState(bits_0, bits_1, to_play, outcome)


_state_from_bits = state_from_bits  # the name before it was public


class ConnectFourTask(NativeTask[ConnectFourState]):
    """Fast ``connect_four_v3`` on bitboards."""

    env_id = "classic/connect_four-v3"
    env_module = "pettingzoo.classic.connect_four.connect_four"

    def __init__(self, **env_kwargs: Any) -> None:
        super().__init__(**env_kwargs)
        self.spec = self._single_phase_spec("connect_four_v3", (2, ROWS, COLS), COLS, "drop")

    # --- Task protocol --------------------------------------------------------------------

    def initial_state(self, seed: int | None = None) -> ConnectFourState:
        """The empty board (no randomness; ``seed`` is ignored)."""
        return ConnectFourState(0, 0, 0, ONGOING)

    def to_play(self, state: ConnectFourState) -> int:
        return state[2]

    def legal_mask(self, state: ConnectFourState) -> np.ndarray:
        """bool ``[7]``: columns whose top cell is empty (as PettingZoo, also on a terminal board)."""
        return _LEGAL[(state[0] | state[1]) & _TOP_ROW].copy()

    def observe(self, state: ConnectFourState) -> np.ndarray:
        """float32 ``[2, 6, 7]``: plane 0 the mover's pieces, plane 1 the opponent's."""
        return _planes(state[0], state[1], state[2])

    def step(self, state: ConnectFourState, action: int) -> tuple[ConnectFourState, np.ndarray]:
        """Drop a piece in column ``action``; rewards float32 ``[2]`` in seat order."""
        if state[3]:
            raise ValueError(f"connect four action {action} on a finished game\n{self.render(state)}")
        child = _drop(state[0], state[1], state[2], action)
        if child[3] < 0:
            raise ValueError(f"illegal connect four action {action} on\n{self.render(state)}")
        return _new_state(ConnectFourState, child), _REWARDS[child[3]].copy()

    def is_terminal(self, state: ConnectFourState) -> bool:
        return state[3] != ONGOING

    # --- extras -----------------------------------------------------------------------------

    def terminal_actions(self, state: ConnectFourState) -> list[tuple[int, np.ndarray]]:
        """``(column, rewards [2])`` of every drop that ends the game, column order (for the search's solver)."""
        wins, draws = _ending_columns(state[0], state[1], state[2])
        if not wins | draws:
            return []
        won = _REWARDS[WON_0 + state[2]]
        return [(c, (won if wins >> c & 1 else _REWARDS[DRAW]).copy()) for c in range(COLS) if (wins | draws) >> c & 1]

    def key(self, state: ConnectFourState) -> tuple[int, int]:
        """Transposition key: the two bitboards (they determine the rest)."""
        return state[0], state[1]

    def copy_state(self, state: ConnectFourState) -> ConnectFourState:
        """States are immutable tuples: the copy is the state."""
        return state

    def returns(self, state: ConnectFourState) -> np.ndarray:
        """float32 ``[2]``: the final rewards of a terminal position (zeros otherwise)."""
        return _REWARDS[state[3]].copy()

    def symmetries(
        self, observation: np.ndarray, policy: np.ndarray, phase: int = 0
    ) -> list[tuple[np.ndarray, np.ndarray]]:
        """Identity and the left-right mirror of (observation ``[2, 6, 7]``, policy ``[7]``)."""
        policy = np.asarray(policy)
        return [
            (observation, policy),
            (np.ascontiguousarray(observation[:, :, ::-1]), np.ascontiguousarray(policy[::-1])),
        ]

    def render(self, state: ConnectFourState) -> str:
        """The board, top row first: ``X`` seat 0, ``O`` seat 1, column numbers below."""
        marks = [".XO"[v] for v in bits_to_board(state[0], state[1])]
        rows = [" ".join(marks[r * COLS : (r + 1) * COLS]) for r in range(ROWS)]
        return "\n".join(rows + [" ".join(str(c) for c in range(COLS))])

    # --- PettingZoo env conversion -------------------------------------------------------------

    def _read_env(self, raw: Any) -> ConnectFourState:
        board = list(raw.board)
        if len(board) != ROWS * COLS or any(v not in (0, 1, 2) for v in board):
            raise ValueError(f"not a connect four board: {board}")
        state = state_from_bits(*board_to_bits(board))
        if any(raw.terminations.values()) and state.outcome == ONGOING:
            raise ValueError("the env's game was ended by an illegal move; it has no fast state")
        return state

    def _write_env(self, state: ConnectFourState, raw: Any) -> None:
        raw.board = bits_to_board(state[0], state[1])
        write_turn(raw, state[2], _REWARDS[state[3]], state[3] != ONGOING)
