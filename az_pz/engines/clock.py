"""How long to think about one move, from the clock a GUI or a referee reports.

UCI sends ``wtime/btime/winc/binc/movestogo`` with every ``go``; GTP sends ``time_left COLOR TIME STONES``
(``STONES`` > 0: Canadian byo-yomi, that many moves to play in ``TIME``). Both come down to
:class:`Clock`: the time left, the increment per move, and how many moves that time must last.

The rule (the classic one of many engines, with a reserve for the moves still to come)::

    moves   = moves_to_go, or expected_moves when the clock does not say (sudden death)
    reserve = overhead * moves
    target  = (time_left - reserve) / moves + 0.75 * increment
    target  = min(target, max_share * (time_left - overhead)),   0 when under min_search_s

``overhead`` is the time a move costs outside the search (the pipe, the GUI's bookkeeping, a
server's lag: UCI's ``Move Overhead`` option). Keeping it back for every move still to play means
that the search's share shrinks geometrically and reaches zero while a reserve of ``overhead *
moves`` seconds is still on the clock; from there on a move costs one network evaluation and the
latency, and the reserve pays for many such moves: a 1+0 game does not run out within hundreds of
moves (``docs/uci.md`` has the figures).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Clock", "TimePolicy", "move_time"]


@dataclass(frozen=True)
class Clock:
    """One side's clock at the moment it must move."""

    time_left_s: float
    """Seconds left on the clock (may be negative when a GUI reports an overstep)."""
    increment_s: float = 0.0
    """Seconds added after each move (Fischer increment)."""
    moves_to_go: int | None = None
    """Moves to play before the clock is refilled (UCI ``movestogo``, GTP byo-yomi stones); None: the rest
    of the game."""

    def __post_init__(self) -> None:
        if self.increment_s < 0:
            raise ValueError(f"a clock's increment cannot be negative, got {self.increment_s}")
        if self.moves_to_go is not None and self.moves_to_go < 1:
            raise ValueError(f"moves_to_go must be at least 1, got {self.moves_to_go}")


@dataclass(frozen=True)
class TimePolicy:
    """How the time of a game is spread over its moves."""

    overhead_s: float = 0.1
    """Time a move costs outside the search, kept back for every move still to play (UCI ``Move Overhead``)."""
    expected_moves: int = 30
    """Moves the remaining time is planned for when the clock does not say (sudden death)."""
    max_share: float = 0.5
    """Never more than this share of the time left on one move (0.8 on the last move before a refill)."""
    increment_share: float = 0.75
    """Share of the increment spent on top of the base time: the rest builds a reserve."""
    min_search_s: float = 0.01
    """A target below this is 0: no search, the answer comes from one network evaluation."""

    def __post_init__(self) -> None:
        if self.overhead_s < 0 or self.min_search_s < 0:
            raise ValueError("overhead_s and min_search_s cannot be negative")
        if self.expected_moves < 1:
            raise ValueError(f"expected_moves must be at least 1, got {self.expected_moves}")
        if not 0 < self.max_share <= 1 or not 0 <= self.increment_share <= 1:
            raise ValueError("max_share must be in (0, 1] and increment_share in [0, 1]")


def move_time(clock: Clock, policy: TimePolicy = TimePolicy()) -> float:
    """Seconds to search this move (0: answer from one network evaluation). See the module docstring."""
    moves = clock.moves_to_go or policy.expected_moves
    base = max(0.0, clock.time_left_s - policy.overhead_s * moves) / moves
    target = base + policy.increment_share * clock.increment_s
    share = 0.8 if clock.moves_to_go == 1 else policy.max_share
    target = min(target, share * max(0.0, clock.time_left_s - policy.overhead_s))
    return target if target >= policy.min_search_s else 0.0
