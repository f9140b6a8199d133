"""How long to think about one move, from the clock a GUI or a referee reports.

UCI sends ``wtime/btime/winc/binc/movestogo`` with every ``go``; GTP sends ``time_left COLOR TIME STONES``
(``STONES`` > 0: Canadian byo-yomi, that many moves to play in ``TIME``). Both come down to
:class:`Clock`: the time left, the increment per move, and how many moves that time must last.

The rule (the classic one of many engines; see ``docs/uci.md``)::

    usable = time_left - overhead
    target = usable / moves + 0.75 * increment,   moves = moves_to_go, or expected_moves when unknown
    target = min(target, max_share * usable)

``overhead`` is the time lost outside the search (the network's first call, the pipe, the GUI's own
bookkeeping; UCI's ``Move Overhead`` option), kept in reserve at every move. As the time left shrinks
the target shrinks with it (a geometric series: 1+0 never runs out while a move costs less than the
reserve), and below ``panic_s`` of usable time (without an increment to live on) the engine plays the
network's move after a single evaluation.
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
    """Reserve kept at every move for what the search does not see (UCI option ``Move Overhead``, in ms)."""
    expected_moves: int = 30
    """Moves the remaining time is planned for when the clock does not say (sudden death)."""
    max_share: float = 0.5
    """Never more than this share of the usable time on one move (0.8 on the last move before a refill)."""
    increment_share: float = 0.75
    """Share of the increment spent on top of the base time: the rest builds a reserve."""
    panic_s: float = 0.3
    """Below this much usable time, no search: one network evaluation (the cheapest legal answer)."""

    def __post_init__(self) -> None:
        if self.overhead_s < 0 or self.panic_s < 0:
            raise ValueError("overhead_s and panic_s cannot be negative")
        if self.expected_moves < 1:
            raise ValueError(f"expected_moves must be at least 1, got {self.expected_moves}")
        if not 0 < self.max_share <= 1 or not 0 <= self.increment_share <= 1:
            raise ValueError("max_share must be in (0, 1] and increment_share in [0, 1]")


def move_time(clock: Clock, policy: TimePolicy = TimePolicy()) -> float:
    """Seconds to search this move (0: answer from one network evaluation). See the module docstring."""
    usable = clock.time_left_s - policy.overhead_s
    if usable <= 0 or (usable <= policy.panic_s and clock.increment_s < policy.panic_s):
        return 0.0
    moves = clock.moves_to_go or policy.expected_moves
    target = usable / moves + policy.increment_share * clock.increment_s
    share = 0.8 if clock.moves_to_go == 1 else policy.max_share
    return max(0.0, min(target, share * usable))
