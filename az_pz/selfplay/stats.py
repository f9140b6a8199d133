"""What self-play hands back besides positions: counters, resignation state, and the one merge of both.

Every backend (``inline``, ``processes``, ``ray``) reports a job's figures as a :data:`JobResult` dict
(:mod:`az_pz.selfplay.jobs`); :func:`merge_result` adds them into one :class:`SelfPlayStats` and one
:class:`ResignState`, so the three backends count and lower the resignation threshold alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["COUNTERS", "Position", "ResignState", "SelfPlayStats", "merge_result"]

Position = tuple[np.ndarray, int, np.ndarray, np.ndarray, np.ndarray]
"""(observation ``[C,H,W]``, phase, policy ``[A_phase]``, value mover-relative ``[P]``, mask ``[A_phase]``)."""

COUNTERS = ("games", "moves", "positions", "samples", "simulations", "resignations", "adjudicated",
            "evaluations", "cache_hits")
"""The integer counters of :class:`SelfPlayStats` that a merge adds up."""


@dataclass
class SelfPlayStats:
    """Counters of one self-play call (one job, or all the jobs of an iteration merged)."""

    games: int = 0
    moves: int = 0
    positions: int = 0
    """Recorded positions, before symmetry augmentation."""
    samples: int = 0
    """Positions handed to the replay buffer, symmetric copies included."""
    simulations: int = 0
    evaluations: int = 0
    """States the network evaluated."""
    cache_hits: int = 0
    """States answered from the search's evaluation cache (``search.eval_cache``) instead."""
    seconds: float = 0.0
    resignations: int = 0
    resign_playouts: int = 0
    resign_false_positives: int = 0
    adjudicated: int = 0
    """Games cut at ``max_moves`` whose value targets include ``task.adjudicate``."""
    returns: list[np.ndarray] = field(default_factory=list)
    """Final return per seat ``[P]`` of every finished game (adjudicated games: with the adjudication)."""
    game_actions: list[list[int]] = field(default_factory=list)
    """The actions of every finished game in play order, beside its ``returns`` (``selfplay.record_games``)."""

    def metrics(self) -> dict[str, float]:
        seconds = max(self.seconds, 1e-9)
        out = {
            "selfplay/games": float(self.games),
            "selfplay/positions": float(self.positions),
            "selfplay/samples": float(self.samples),
            "selfplay/games_per_s": self.games / seconds,
            "selfplay/moves_per_s": self.moves / seconds,
            "selfplay/sims_per_s": self.simulations / seconds,
            "selfplay/game_length": self.moves / max(self.games, 1),
            "selfplay/seconds": self.seconds,
        }
        if self.cache_hits:
            out["selfplay/eval_cache_hit_rate"] = self.cache_hits / max(self.cache_hits + self.evaluations, 1)
        if self.returns:
            returns = np.stack(self.returns)
            for seat in range(returns.shape[1]):
                out[f"selfplay/return_seat{seat}"] = float(returns[:, seat].mean())
        if self.adjudicated:
            out["selfplay/adjudicated_fraction"] = self.adjudicated / max(self.games, 1)
        if self.resignations or self.resign_playouts:
            out["selfplay/resignations"] = float(self.resignations)
            out["selfplay/resign_false_positive_rate"] = self.resign_false_positives / max(self.resign_playouts, 1)
        return out


class ResignState:
    """The resignation threshold and its false-positive counters, as saved with checkpoints.

    Every backend is one, so their checkpoints hold the same keys and a run moves between backends on resume.
    """

    resign_threshold: float | None
    resign_playouts: int
    resign_false_positives: int

    def _init_resign(self, threshold: float | None) -> None:
        self.resign_threshold = threshold
        """Current threshold (lowered when the false-positive rate is too high); saved with checkpoints."""
        self.resign_playouts = 0
        self.resign_false_positives = 0

    def state_dict(self) -> dict[str, Any]:
        return {"resign_threshold": self.resign_threshold, "resign_playouts": self.resign_playouts,
                "resign_false_positives": self.resign_false_positives}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.resign_threshold = state.get("resign_threshold", self.resign_threshold)
        self.resign_playouts = int(state.get("resign_playouts", 0))
        self.resign_false_positives = int(state.get("resign_false_positives", 0))

    def _lower_resign_threshold(self, target_rate: float) -> None:
        """AlphaGo Zero kept resignation false positives under 5%: once 10 games were played out to check,
        lower the threshold by 0.05 when their false-positive rate is above ``target_rate``."""
        if self.resign_threshold is None or self.resign_playouts < 10:
            return
        if self.resign_false_positives / self.resign_playouts > target_rate:
            self.resign_threshold = max(-1.0, self.resign_threshold - 0.05)
            self.resign_playouts = 0
            self.resign_false_positives = 0


def merge_result(stats: SelfPlayStats, resign: ResignState, result: dict[str, Any]) -> None:
    """Add one job's figures (:func:`az_pz.selfplay.jobs.run_job`) to ``stats`` and its resignation checks
    to ``resign``. A job that already lowered the threshold (its own checks crossed the line) hands its
    threshold over, and the counters start again from there; otherwise its checks are pooled. The caller
    then lowers the threshold once per iteration (:meth:`ResignState._lower_resign_threshold`)."""
    for key in COUNTERS:
        setattr(stats, key, getattr(stats, key) + int(result.get(key, 0)))
    stats.returns.extend(np.asarray(result["returns"], np.float32))
    stats.game_actions.extend(result["game_actions"])
    if resign.resign_threshold is None:
        return
    reported = result.get("resign_threshold")
    if reported is not None and reported < resign.resign_threshold:
        resign.resign_threshold, resign.resign_playouts, resign.resign_false_positives = reported, 0, 0
        return
    resign.resign_playouts += int(result["resign_playouts"])
    resign.resign_false_positives += int(result["resign_false_positives"])
