"""A perfect connect four solver: exact scores of positions and of every move.

    >>> from az_pz.solvers.connect_four import Position, solve, move_values
    >>> solve("4453")                      # Pons' notation: columns 1..7, left to right
    >>> solve([3, 3, 4, 2])                # the same position as PettingZoo actions (columns 0..6)
    >>> [v and v.outcome for v in move_values(Position.from_env(env))]

**Scores** follow Pascal Pons' convention, from the view of the player to move: 0 is a draw,
``22 - k`` a win with the mover's ``k``-th stone, ``-(22 - k)`` a loss to the opponent's ``k``-th
stone. Higher is better for the mover: a faster win, or a slower loss. :class:`MoveValue` turns a
score into an outcome (+1/0/-1) and a distance in plies.

**Columns** are PettingZoo ``connect_four_v3`` action numbers: action ``c`` drops a stone in
column ``c``, 0 the leftmost (PettingZoo's board lists rows top first; the solver counts rows
from the bottom; both conversions are tested against the live env).

The search (``az_pz.solvers._c4_search``) is Pons' solver compiled with numba. A :class:`Solver`
keeps its transposition table between calls, so labelling many related positions gets cheaper as
it goes; positions from ply 8 on take milliseconds to a few seconds, earlier ones up to minutes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from az_pz.solvers import _c4_search as core

__all__ = ["CELLS", "HEIGHT", "WIDTH", "MoveValue", "Position", "Solver", "move_scores", "move_values", "solve"]

WIDTH, HEIGHT, CELLS = core.WIDTH, core.HEIGHT, core.CELLS
ILLEGAL = -128
"""``move_scores`` entry of a full column."""


@dataclass(frozen=True)
class Position:
    """A connect four position that is not over, as Pons' bitboards (see ``_c4_search``)."""

    current: int
    """Stones of the player to move: bit ``7 * col + row``, row 0 at the bottom."""
    mask: int
    """Every stone on the board, same layout."""
    moves: int
    """Stones played so far (the ply); the first player moves when it is even."""

    @classmethod
    def initial(cls) -> "Position":
        return cls(0, 0, 0)

    @classmethod
    def from_moves(cls, moves: str | Iterable[int]) -> "Position":
        """From Pons' notation (``"4453"``: columns 1..7) or PettingZoo actions (``[3, 3, 4, 2]``: 0..6).

        Raises ValueError for a column out of range, a full column, or a move after the game was won.
        """
        columns = [int(ch) - 1 for ch in moves] if isinstance(moves, str) else [int(c) for c in moves]
        position = cls.initial()
        for index, col in enumerate(columns):
            if not 0 <= col < WIDTH or not position.can_play(col):
                shown = moves[index] if isinstance(moves, str) else col
                raise ValueError(f"move {index + 1} ({shown!r}) is not a playable column in {moves!r}")
            if position.is_winning_move(col) and index < len(columns) - 1:
                raise ValueError(f"move {index + 1} of {moves!r} wins the game; nothing can follow it")
            position = position.play(col)
        return position

    @classmethod
    def from_actions(cls, actions: Iterable[int]) -> "Position":
        """From PettingZoo ``connect_four_v3`` actions played from the empty board (columns 0..6)."""
        return cls.from_moves([int(a) for a in actions])

    @classmethod
    def from_board(cls, board: Sequence[int] | np.ndarray) -> "Position":
        """From PettingZoo's board: 42 values row-major, top row first (or ``[6, 7]``); 0 empty,
        1 the first player (``player_0``), 2 the second. The player to move follows from the counts."""
        cells = np.asarray(board, dtype=np.int64).reshape(-1)
        if cells.shape[0] != CELLS or not np.isin(cells, (0, 1, 2)).all():
            raise ValueError(f"a connect four board is 42 values in 0, 1, 2 (top row first), got {np.shape(board)}")
        grid = cells.reshape(HEIGHT, WIDTH)
        stones = [0, 0, 0]
        for col in range(WIDTH):
            column = grid[::-1, col]  # bottom first
            filled = int(np.count_nonzero(column))
            if column[filled:].any():
                raise ValueError(f"column {col} has a stone above an empty cell: not a connect four board")
            for row in range(filled):
                stones[column[row]] |= 1 << (col * (HEIGHT + 1) + row)
        first, second = stones[1], stones[2]
        count_first, count_second = first.bit_count(), second.bit_count()
        if count_first - count_second not in (0, 1):
            raise ValueError(f"{count_first} stones of the first player and {count_second} of the second: "
                             f"not a position of a game")
        current = first if count_first == count_second else second
        position = cls(current, first | second, count_first + count_second)
        if position.is_over():
            raise ValueError("the game on this board is over (four in a row or full board): nothing to solve")
        return position

    @classmethod
    def from_state(cls, state: Any) -> "Position":
        """From the fast task's ``ConnectFourState`` (``az_pz.adapters.games.connect_four``)."""
        from az_pz.adapters.games.connect_four.task import bits_to_board

        return cls.from_board(bits_to_board(state[0], state[1]))

    @classmethod
    def from_env(cls, env: Any) -> "Position":
        """From a live PettingZoo ``connect_four_v3`` AEC env (its ``unwrapped.board``)."""
        raw = getattr(env, "unwrapped", env)
        name = str(getattr(raw, "metadata", {}).get("name", type(raw).__name__))
        if not name.startswith("connect_four") or not hasattr(raw, "board"):
            raise ValueError(f"the connect four solver reads connect_four_v3 envs only, not {name!r}")
        return cls.from_board(raw.board)

    # ------------------------------------------------------------------ rules

    def can_play(self, col: int) -> bool:
        """Whether column ``col`` (0..6) has room."""
        return 0 <= col < WIDTH and not self.mask & (1 << (HEIGHT - 1 + col * (HEIGHT + 1)))

    def legal_columns(self) -> list[int]:
        return [col for col in range(WIDTH) if self.can_play(col)]

    def _cell(self, col: int) -> int:
        return (self.mask + (1 << (col * (HEIGHT + 1)))) & core.column_cells(col)

    def is_winning_move(self, col: int) -> bool:
        """Whether the player to move makes four in a row by playing ``col``."""
        return bool(core.winning_cells(self.current, self.mask) & self._cell(col))

    def play(self, col: int) -> "Position":
        """The position after the player to move drops a stone in ``col`` (the other player then moves)."""
        if not self.can_play(col):
            raise ValueError(f"column {col} is full or not a column (0..6)")
        return Position(self.current ^ self.mask, self.mask | self._cell(col), self.moves + 1)

    def is_over(self) -> bool:
        """Four in a row for the player who just moved, or a full board."""
        last = self.current ^ self.mask
        return self.moves >= CELLS or any(_four(last, shift) for shift in (1, HEIGHT, HEIGHT + 1, HEIGHT + 2))

    def board(self) -> list[int]:
        """PettingZoo's flat board (42 values, top row first; 1 first player, 2 second)."""
        first = self.current if self.moves % 2 == 0 else self.current ^ self.mask
        cells = []
        for row in range(HEIGHT - 1, -1, -1):
            for col in range(WIDTH):
                bit = 1 << (col * (HEIGHT + 1) + row)
                cells.append(0 if not self.mask & bit else 1 if first & bit else 2)
        return cells


def _four(bits: int, shift: int) -> bool:
    pairs = bits & (bits >> shift)
    return bool(pairs & (pairs >> (2 * shift)))


@dataclass(frozen=True)
class MoveValue:
    """The perfect-play value of one move, from the view of the player who makes it."""

    column: int
    """The column (PettingZoo action) played."""
    score: int
    """Pons score of the move for its player (see the module docstring); higher is better."""
    ply: int
    """Stones on the board before the move."""

    @property
    def outcome(self) -> int:
        """+1 the mover wins, 0 draw, -1 the mover loses (both sides playing perfectly after it)."""
        return (self.score > 0) - (self.score < 0)

    @property
    def plies(self) -> int:
        """Plies until the game ends with perfect play, this move included (1: it wins at once)."""
        own_before = self.ply // 2  # stones of the mover already on the board
        if self.score > 0:
            return 2 * ((CELLS // 2 + 1 - self.score) - own_before) - 1
        if self.score < 0:
            return 2 * ((CELLS // 2 + 1 + self.score) - (self.ply - own_before))
        return CELLS - self.ply

    def __str__(self) -> str:
        word = {1: "win", 0: "draw", -1: "loss"}[self.outcome]
        return f"{word} in {self.plies}" if self.outcome else "draw"


class Solver:
    """Connect four solver with its own transposition table (``2**table_bits`` slots, 9 bytes each).

    Not thread-safe by itself (calls are serialized by a lock); one per process is plenty.
    """

    def __init__(self, table_bits: int = 23) -> None:
        if not 10 <= table_bits <= 28:
            raise ValueError(f"table_bits must be in 10..28, got {table_bits}")
        size = _prime_at_least(1 << table_bits)
        self.keys = np.full(size, -1, np.int64)
        """Full position keys of the table slots (-1: empty)."""
        self.values = np.zeros(size, np.int8)
        """Encoded bounds of the slots (see ``_c4_search``)."""
        self.nodes = np.zeros(1, np.int64)
        """Positions searched since creation (or the last ``reset``)."""
        self._lock = threading.Lock()

    def reset(self) -> None:
        """Empty the table and the node counter."""
        self.keys.fill(-1)
        self.values.fill(0)
        self.nodes[0] = 0

    def solve(self, position: Position | str | Iterable[int], *, weak: bool = False) -> int:
        """Score of the position for the player to move (``weak``: only -1, 0 or 1)."""
        position = _position(position)
        if position.is_over():
            raise ValueError("the game is over in this position: nothing to solve")
        with self._lock:
            score = int(core.solve_bits(position.current, position.mask, position.moves, weak,
                                        self.keys, self.values, self.nodes))
        return (score > 0) - (score < 0) if weak else score

    def move_scores(self, position: Position | str | Iterable[int]) -> np.ndarray:
        """int ``[7]``: the score of each column for the player to move; ``ILLEGAL`` (-128) for full columns."""
        position = _position(position)
        if position.is_over():
            raise ValueError("the game is over in this position: no move to value")
        scores = np.full(WIDTH, ILLEGAL, np.int64)
        for col in position.legal_columns():
            if position.is_winning_move(col):
                scores[col] = (CELLS + 1 - position.moves) // 2
            else:
                child = position.play(col)
                scores[col] = 0 if child.moves == CELLS else -self.solve(child)
        return scores

    def best_move(self, position: Position | str | Iterable[int], rng: np.random.Generator) -> int:
        """A column of the best score, uniformly at random among such columns.

        Cheaper than ``move_scores``: one exact solve, then one null-window test per column tried, in
        random order, until one reaches the position's score.
        """
        position = _position(position)
        if position.is_over():
            raise ValueError("the game is over in this position: no move to choose")
        best = self.solve(position)
        for col in rng.permutation(WIDTH):
            col = int(col)
            if not position.can_play(col):
                continue
            if position.is_winning_move(col):
                if best == (CELLS + 1 - position.moves) // 2:
                    return col
                continue
            child = position.play(col)
            if child.moves == CELLS:
                if best == 0:
                    return col
                continue
            with self._lock:  # the child's score is >= -best; the move is optimal when it is also <= -best
                if core.score_at_most(child.current, child.mask, child.moves, -best, self.keys, self.values,
                                      self.nodes):
                    return col
        raise AssertionError(f"no column reaches the score {best} of {position}")  # unreachable if the solver is right

    def move_values(self, position: Position | str | Iterable[int]) -> list[MoveValue | None]:
        """Per column (PettingZoo action): its :class:`MoveValue`, or None for a full column."""
        position = _position(position)
        scores = self.move_scores(position)
        return [None if s == ILLEGAL else MoveValue(col, int(s), position.moves) for col, s in enumerate(scores)]


def _position(position: Position | str | Iterable[int]) -> Position:
    return position if isinstance(position, Position) else Position.from_moves(position)


def _prime_at_least(n: int) -> int:
    """A prime table size spreads keys (which share low-bit patterns) better than a power of two."""
    def is_prime(k: int) -> bool:
        return k > 1 and all(k % d for d in range(2, int(k**0.5) + 1))

    while not is_prime(n):
        n += 1
    return n


_DEFAULT: Solver | None = None


def default_solver() -> Solver:
    """The process-wide solver behind ``solve``/``move_values`` (about 75 MB, made on first use)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Solver()
    return _DEFAULT


def solve(position: Position | str | Iterable[int], *, weak: bool = False) -> int:
    """Pons score of ``position`` (a :class:`Position`, Pons' ``"4453"`` or PettingZoo actions)."""
    return default_solver().solve(position, weak=weak)


def move_scores(position: Position | str | Iterable[int]) -> np.ndarray:
    """int ``[7]`` Pons score of each column for the player to move, ``ILLEGAL`` (-128) for full columns."""
    return default_solver().move_scores(position)


def move_values(position: Position | str | Iterable[int]) -> list[MoveValue | None]:
    """Per column: win/draw/loss with distance (:class:`MoveValue`), or None for a full column."""
    return default_solver().move_values(position)
