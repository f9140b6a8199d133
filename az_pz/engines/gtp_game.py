"""The state behind :class:`~az_pz.engines.gtp.GtpEngine`: the game record (with the passes put in for moves out
of turn) and the clock of ``time_settings`` / ``time_left``, plus the parsing of GTP arguments.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from az_pz.engines.clock import Clock, TimePolicy, move_time
from az_pz.engines.thinking import Limits

_COLORS = {"b": 0, "black": 0, "w": 1, "white": 1}


class GtpError(Exception):
    """A command's failure: answered ``? message``."""


class GameRecord:
    """The game played, newest state last; a move out of turn is played after a pass of the other colour
    (PettingZoo's strict alternation), marked as inserted so that ``undo`` or a refused move takes it back."""

    def __init__(self) -> None:
        self.states: list[Any] = []
        """The go task's states, the start first."""
        self.inserted: list[bool] = []
        """Per state: reached by a pass put in for a move out of turn."""

    def start(self, task: Any) -> None:
        """A new game of ``task`` from its start position."""
        self.states, self.inserted = [task.initial_state()], [False]

    def push(self, task: Any, action: int, inserted: bool = False) -> None:
        state, _ = task.step(self.states[-1], action)
        self.states.append(state)
        self.inserted.append(inserted)

    def take_turn(self, task: Any, seat: int) -> None:
        """Make ``seat`` the player to move: a pass of the other colour if it is not (never ending the game)."""
        state = self.states[-1]
        if task.is_terminal(state) or state.to_play == seat:
            return
        if state.passes >= 1:
            raise GtpError("illegal move (out of turn right after a pass: the inserted pass would end the game)")
        self.push(task, task.pass_action, inserted=True)

    def drop_inserted(self) -> None:
        """Take back the passes put in at the end of the game."""
        while len(self.states) > 1 and self.inserted[-1]:
            self.states.pop()
            self.inserted.pop()

    def undo(self) -> None:
        """Take back the last move, and the pass put in before it if any."""
        if len(self.states) <= 1:
            raise GtpError("cannot undo")
        self.states.pop()
        self.inserted.pop()
        self.drop_inserted()


class GtpClock:
    """The time controls set by ``time_settings`` (Canadian byo-yomi) and the time left told by ``time_left``."""

    def __init__(self) -> None:
        self.timed = False
        """``time_settings`` gave a limit."""
        self.main_time: float | None = None
        self.byo_yomi: tuple[float, int] | None = None
        """(seconds, stones) of a Canadian byo-yomi period."""
        self.time_left: dict[int, tuple[float, int]] = {}
        """Seat -> (seconds, stones) from ``time_left``, forgotten on a new game."""

    def settings(self, args: list[str]) -> None:
        """``time_settings main_time byo_yomi_time byo_yomi_stones``."""
        main, byo_time, stones = number(args, 0), number(args, 1), integer(args, 2)
        if min(main, byo_time, stones) < 0:
            raise GtpError("syntax error")
        self.main_time = main if main > 0 else None
        self.byo_yomi = (byo_time, stones) if stones > 0 else None
        unlimited = byo_time > 0 and stones == 0  # the spec's way of saying: no time limit
        self.timed = not unlimited and (self.main_time is not None or self.byo_yomi is not None)
        self.time_left = {}

    def left(self, args: list[str]) -> None:
        """``time_left color time stones``."""
        self.time_left[color(args, 0)] = (number(args, 1), integer(args, 2))

    def limits(self, seat: int, state: Any, policy: TimePolicy, simulations: Callable[[], int]) -> Limits:
        """Seconds from the clock (``time_left``, else the main time), else ``simulations()``."""
        expected = max(10, int((state.mask[:-1]).sum()) // 2)
        policy = dataclasses.replace(policy, expected_moves=expected)
        if not self.timed:
            return Limits(simulations=simulations())
        if seat in self.time_left:
            left, stones = self.time_left[seat]
            return Limits(time_s=move_time(Clock(left, 0.0, stones or None), policy))
        if self.main_time is not None:
            return Limits(time_s=move_time(Clock(self.main_time), policy))
        byo_time, stones = self.byo_yomi
        return Limits(time_s=move_time(Clock(byo_time, 0.0, stones), policy))


def color(args: list[str], i: int) -> int:
    """The seat of the colour ``args[i]`` (``b``, ``black``, ``w``, ``white``)."""
    if len(args) <= i or args[i].lower() not in _COLORS:
        raise GtpError("syntax error")
    return _COLORS[args[i].lower()]


def integer(args: list[str], i: int) -> int:
    try:
        return int(args[i])
    except (IndexError, ValueError):
        raise GtpError("syntax error") from None


def number(args: list[str], i: int) -> float:
    try:
        return float(args[i])
    except (IndexError, ValueError):
        raise GtpError("syntax error") from None
