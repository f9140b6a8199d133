"""Training positions from recorded games and from random play.

A recorded game teaches what a finished self-play game teaches, with the move that was played standing in
for the search's visit counts: the policy target is one-hot on the played move, the value target is the
game's result from the mover's point of view (mover-relative ``[P]``, as the replay buffer holds it).

Every record is replayed through the task's own rules before anything is kept: a game whose moves are not
legal, that names another game, or that cannot be read is skipped and counted, never trained on.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np

from az_pz.games import canonical_name
from az_pz.records import GameRecord, RecordError
from az_pz.selfplay import Position, augment
from az_pz.task import Task, rotate_to_player

__all__ = ["RecordStats", "positions_from_record", "positions_from_records", "random_play_positions"]


@dataclass
class RecordStats:
    """What became of the games handed to :func:`positions_from_records`."""

    games: int = 0
    """Games read (usable or not)."""
    used: int = 0
    """Games whose positions were kept."""
    unreadable: int = 0
    """Games that could not be read (bad file, line or field)."""
    illegal: int = 0
    """Games with a move the rules refuse, or moves after the end."""
    other_game: int = 0
    """Games of another game or other env settings than the task's."""
    positions: int = 0
    """Positions kept, before symmetric copies."""
    samples: int = 0
    """Positions with their symmetric copies."""
    problems: list[str] = field(default_factory=list)
    """The first few reasons a game was skipped, for the summary."""

    def skip(self, kind: str, reason: str) -> None:
        setattr(self, kind, getattr(self, kind) + 1)
        if len(self.problems) < 5:
            self.problems.append(reason)

    def summary(self) -> str:
        """One line: games used and skipped, positions kept."""
        skipped = self.unreadable + self.illegal + self.other_game
        line = (f"records: {self.used} of {self.games} games used, {self.positions} positions "
                f"({self.samples} with symmetries); skipped {skipped} "
                f"(unreadable {self.unreadable}, illegal {self.illegal}, other game {self.other_game})")
        return line + "".join(f"\n  skipped: {p}" for p in self.problems)


class _OtherGame(RecordError):
    """A record of another game, other env settings or another number of seats than the task's."""


def _game_positions(task: Task, actions: Iterable[int], final_returns: np.ndarray | None,
                    policy_of=None, symmetries: bool = True) -> tuple[list[Position], int]:
    """Replay ``actions`` from the initial state; value targets from the rewards met (or ``final_returns``,
    seat order, when the game stops before a terminal state: resignation, adjudication, time)."""
    spec = task.spec
    state = task.initial_state(0)
    total = np.zeros(spec.num_players, np.float32)
    steps = []
    for ply, action in enumerate(actions):
        if task.is_terminal(state):
            raise RecordError("moves after the end of the game", ply=ply)
        phase = task.phase(state)
        mask = np.asarray(task.legal_mask(state), bool)
        if not 0 <= action < len(mask) or not mask[action]:
            raise RecordError(f"action {action} is not legal here", ply=ply)
        policy = np.zeros(len(mask), np.float32)
        if policy_of is None:
            policy[action] = 1.0
        else:
            policy[:] = policy_of(mask)
        steps.append((np.asarray(task.observe(state), np.float32), phase, policy, mask, task.to_play(state),
                      total.copy()))
        state, rewards = task.step(state, int(action))
        total += np.asarray(rewards, np.float32)
    if not task.is_terminal(state):
        if final_returns is None:
            raise RecordError("the game stops before its end and states no result")
        total = np.asarray(final_returns, np.float32)
    out: list[Position] = []
    for observation, phase, policy, mask, mover, before in steps:
        value = np.clip(rotate_to_player(total - before, mover), -1.0, 1.0).astype(np.float32)
        for obs, pol, msk in augment(task, observation, policy, mask, phase, symmetries):
            out.append((obs, phase, pol, value, msk))
    return out, len(steps)


def positions_from_record(task: Task, record: GameRecord, *, symmetries: bool = True) -> tuple[list[Position], int]:
    """The training positions of one record (with symmetric copies) and the number of moves replayed.

    Raises :class:`RecordError` when the record is of another game or a move is illegal.
    """
    spec = task.spec
    if canonical_name(record.game) != canonical_name(spec.name):
        raise _OtherGame(f"a {record.game!r} game, but the run plays {spec.name!r}")
    settings = dict(spec.env_kwargs)
    clash = {k: v for k, v in record.env_kwargs.items() if k in settings and settings[k] != v}
    if clash:
        raise _OtherGame(f"env settings {clash} differ from the run's {settings}")
    if len(record.seats) != spec.num_players:
        raise _OtherGame(f"{len(record.seats)} seats, but {spec.name} has {spec.num_players}")
    returns = np.array([record.rewards[seat] for seat in record.seats], np.float32)
    return _game_positions(task, record.actions, returns, symmetries=symmetries)


def positions_from_records(task: Task, records: Iterable[GameRecord | RecordError], stats: RecordStats, *,
                           symmetries: bool = True, max_games: int | None = None) -> Iterator[Position]:
    """Positions of every usable record; ``RecordError`` items (unreadable records a reader passed on) and
    unusable records are counted in ``stats`` and skipped."""
    for record in records:
        if max_games is not None and stats.used >= max_games:
            return
        stats.games += 1
        if isinstance(record, RecordError):
            stats.skip("unreadable", str(record))
            continue
        try:
            positions, moves = positions_from_record(task, record, symmetries=symmetries)
        except RecordError as error:
            kind = "other_game" if isinstance(error, _OtherGame) else "illegal"
            players = " vs ".join(record.players)
            stats.skip(kind, f"game {stats.games} ({players}): {error}")
            continue
        stats.used += 1
        stats.positions += moves
        stats.samples += len(positions)
        yield from positions


def random_play_positions(task: Task, num_games: int, rng: np.random.Generator, *, symmetries: bool = True,
                          max_moves: int = 10_000) -> tuple[list[Position], RecordStats]:
    """Positions of ``num_games`` uniformly random games (the original's ``startWithRandomPlay``).

    The policy target is uniform over the legal moves (random play says nothing about which move is good);
    the value target is the random game's result, a first lesson about which positions tend to be won.
    """
    stats = RecordStats()
    out: list[Position] = []
    for _ in range(num_games):
        state = task.initial_state(int(rng.integers(2**31 - 1)))
        actions = []
        while not task.is_terminal(state) and len(actions) < max_moves:
            legal = np.flatnonzero(task.legal_mask(state))
            action = int(rng.choice(legal))
            actions.append(action)
            state, _ = task.step(state, action)
        if not task.is_terminal(state):
            continue
        positions, moves = _game_positions(task, actions, None, policy_of=lambda m: m / m.sum(),
                                           symmetries=symmetries)
        stats.games += 1
        stats.used += 1
        stats.positions += moves
        stats.samples += len(positions)
        out.extend(positions)
    return out, stats
