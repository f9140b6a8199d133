"""Self-play games as game records (``selfplay.record_games``).

Self-play keeps each finished game's actions and returns; this turns them into :class:`GameRecord`s in
the run's ``selfplay_games.jsonl``, so self-play can be watched (``az-pz replay``, ``az-pz serve
--records``) or reused to start another run (``az-pz pretrain``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from az_pz.records.jsonl import append_jsonl
from az_pz.records.record import GameRecord

__all__ = ["SelfPlayRecorder"]


class SelfPlayRecorder:
    """Appends the games of each self-play iteration to one JSON-lines file."""

    def __init__(self, path: str | os.PathLike, task: Any, game: str, env_kwargs: dict[str, Any]) -> None:
        self.path = path
        self.game = game
        self.env_kwargs = dict(env_kwargs)
        self.seats = _seat_names(task)

    def write(self, game_actions: Sequence[Sequence[int]], returns: Sequence[np.ndarray], iteration: int,
              player: str = "az_pz self-play") -> int:
        """Append one record per game; returns how many were written."""
        records = [GameRecord(game=self.game, env_kwargs=self.env_kwargs, players=[player] * len(self.seats),
                              seats=list(self.seats), actions=[int(a) for a in actions],
                              rewards={s: float(r) for s, r in zip(self.seats, total)},
                              metadata={"event": "self-play", "round": iteration})
                   for actions, total in zip(game_actions, returns)]
        if records:
            append_jsonl(self.path, records)
        return len(records)


def _seat_names(task: Any) -> list[str]:
    """The env's ``possible_agents`` where the task can make its env, else ``seat_0``, ``seat_1``..."""
    make_env = getattr(task, "make_env", None)
    if make_env is not None:
        try:
            return list(make_env().possible_agents)
        except Exception:  # a task whose env cannot be made here: generic seat names
            pass
    return [f"seat_{i}" for i in range(task.spec.num_players)]
