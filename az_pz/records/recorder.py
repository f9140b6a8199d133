"""Keep the games of a match as they finish: ``az-pz arena/eval/play --record DIR``.

A :class:`GameRecorder` writes every game to ``DIR/games.jsonl`` (any game),
and also to ``DIR/games.pgn`` (chess) or ``DIR/sgf/game-NNNNN.sgf`` (go, one
file per game as go programs expect). Games are appended as they end, so a
stopped match keeps every finished game; a second match into the same
directory adds to it.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path
from typing import Any

from az_pz.records.jsonl import append_jsonl
from az_pz.records.pgn import append_pgn, is_chess
from az_pz.records.record import GameRecord, pack_observation
from az_pz.records.sgf import is_go, write_sgf

__all__ = ["GameRecorder", "record_of_played"]


def record_of_played(env: Any, game: str, env_kwargs: dict[str, Any], played: Any, *,
                     final_observation: bool = True, metadata: dict[str, Any] | None = None) -> GameRecord:
    """A :class:`GameRecord` of a game ``az_pz.matches.play_game`` just played on ``env`` (still at its end).

    ``played`` has ``players``, ``returns`` (seat order), ``actions``, ``seed`` and ``truncated``.
    """
    from az_pz.agents.base import env_kwargs_of

    seats = [str(s) for s in env.possible_agents]
    if env.agents:  # the loop stopped a live game: the move cap of the arena
        termination = "max_moves"
    else:
        termination = "truncated" if played.truncated else "terminated"
    meta: dict[str, Any] = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                            "seed": int(played.seed), "termination": termination}
    meta.update(metadata or {})
    packed = None
    if final_observation:
        observation = env.observe(seats[0])
        if isinstance(observation, dict):
            observation = observation.get("observation")
        if observation is not None:
            packed = pack_observation(observation, seats[0])
    return GameRecord(game=game, env_kwargs={**env_kwargs, **env_kwargs_of(env)},
                      players=[str(p) for p in played.players], seats=seats, actions=[int(a) for a in played.actions],
                      rewards={s: float(r) for s, r in zip(seats, played.returns)}, final_observation=packed,
                      metadata=meta)


class GameRecorder:
    """Appends finished games to ``directory`` as JSON lines, plus PGN (chess) or SGF (go).

    Args:
        directory: where the files go (created).
        event: the ``event`` of every record (PGN ``Event``, SGF ``EV``).
        final_observation: keep each game's final observation (seat 0's view) in the JSON record.
    """

    def __init__(self, directory: str | os.PathLike, *, event: str = "az_pz", final_observation: bool = True) -> None:
        self.directory = Path(directory)
        """Where the games go."""
        self.event = event
        """Event name written into every record."""
        self.final_observation = final_observation
        """Whether records keep the final observation."""
        self.count = 0
        """Games recorded by this recorder."""
        self.directory.mkdir(parents=True, exist_ok=True)
        self._sgf_dir = self.directory / "sgf"
        self._next_sgf = len(list(self._sgf_dir.glob("game-*.sgf"))) + 1 if self._sgf_dir.is_dir() else 1

    @property
    def jsonl_path(self) -> Path:
        return self.directory / "games.jsonl"

    @property
    def pgn_path(self) -> Path:
        return self.directory / "games.pgn"

    def add(self, record: GameRecord, env: Any = None) -> GameRecord:
        """Write one record (``env``: its final env, spares replaying a go game for its score)."""
        append_jsonl(self.jsonl_path, record)
        if is_chess(record.game):
            append_pgn(self.pgn_path, record)
        elif is_go(record.game):
            while (path := self._sgf_dir / f"game-{self._next_sgf:05d}.sgf").exists():
                self._next_sgf += 1
            write_sgf(path, record, env=env)
            self._next_sgf += 1
        self.count += 1
        return record

    def add_played(self, env: Any, game: str, env_kwargs: dict[str, Any], played: Any,
                   **metadata: Any) -> GameRecord:
        """Record a game ``az_pz.matches.play_game`` just played on ``env`` (extra metadata as keywords)."""
        record = record_of_played(env, game, env_kwargs, played, final_observation=self.final_observation,
                                  metadata={"event": self.event, **metadata})
        return self.add(record, env)

    def files(self) -> list[Path]:
        """The files written so far."""
        found = [p for p in (self.jsonl_path, self.pgn_path) if p.exists()]
        return found + (sorted(self._sgf_dir.glob("game-*.sgf")) if self._sgf_dir.is_dir() else [])
