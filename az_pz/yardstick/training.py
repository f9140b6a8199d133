"""The yardstick during training: perfect-play figures in ``metrics.jsonl`` and TensorBoard.

Connect four runs only. Every ``eval.yardstick_every`` iterations the network alone (policy argmax,
through the trainer's own evaluator, so in the precision self-play uses) chooses a move in each of
the first ``eval.yardstick_positions`` positions of the shipped set; every
``eval.yardstick_search_every`` iterations the agent's evaluation search (``RunConfig.eval_search``)
does too. Keys: ``yardstick/optimal_network``, ``yardstick/preserving_network``,
``yardstick/win_in_one_network``, ``yardstick/loss_avoided_network``, the same with ``_search``, and
``yardstick/seconds``. Both also run after the last iteration.

The trainer knows no yardstick: :class:`TrainingYardstick` is a training callback
(:mod:`az_pz.training.callbacks`) whose ``on_evaluation`` measures within the iteration. ``az-pz train`` adds it
when the run config asks for it; in Python, ``Trainer(config, callbacks=yardstick_callbacks(config))``.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

from az_pz.training.callbacks import Callback

__all__ = ["TrainingYardstick", "yardstick_callbacks"]


def yardstick_callbacks(config: Any) -> list[Callback]:
    """The callbacks that measure what ``config.eval.yardstick_*`` ask for: one :class:`TrainingYardstick`, or
    none. Raises ``ValueError`` for a game other than connect four."""
    yardstick = TrainingYardstick.for_run(config)
    return [yardstick] if yardstick is not None else []


class TrainingYardstick(Callback):
    """Measures a trainer's network on solver-labelled positions at the configured iterations."""

    measures_yardstick = True
    """What the trainer looks for before warning that ``eval.yardstick_*`` would go unmeasured."""

    def __init__(self, every: int, search_every: int, positions: int) -> None:
        from az_pz.yardstick.positions import default_positions
        from az_pz.yardstick.scoring import task_states

        self.every = every
        self.search_every = search_every
        self.positions = default_positions(positions)
        self._states = task_states(self.positions)

    @classmethod
    def for_run(cls, config: Any) -> "TrainingYardstick | None":
        """The yardstick a run config asks for (None when ``eval.yardstick_every`` and ``..._search_every`` are 0)."""
        from az_pz.games import canonical_name

        every, search_every = config.eval.yardstick_every, config.eval.yardstick_search_every
        if not (every or search_every):
            return None
        if canonical_name(config.game) != "connect_four_v3":
            raise ValueError(f"eval.yardstick_every / eval.yardstick_search_every measure connect_four_v3 runs "
                             f"(the solved game), not {config.game!r}: set them to 0")
        from az_pz.yardstick.positions import default_positions_available

        if not default_positions_available():  # a broken install: measuring is optional, training goes on
            import warnings

            warnings.warn("the yardstick position set is missing from this az_pz install (az_pz/yardstick/data/"
                          "connect_four.npz): training runs without yardstick figures", RuntimeWarning, stacklevel=2)
            return None
        return cls(every, search_every, config.eval.yardstick_positions)

    def on_evaluation(self, trainer: Any, final: bool) -> dict[str, float]:
        return self.measure(trainer, last=final)

    def measure(self, trainer: Any, last: bool) -> dict[str, float]:
        """Figures for the iteration ``trainer.iteration`` just completed (empty when none is due)."""
        iteration = trainer.iteration
        network_due = bool(self.every) and (iteration % self.every == 0 or last)
        search_due = bool(self.search_every) and (iteration % self.search_every == 0 or last)
        if not (network_due or search_due):
            return {}
        from az_pz.yardstick.scoring import network_moves, score_moves

        start = time.perf_counter()
        out: dict[str, float] = {}
        if network_due:
            moves = network_moves(trainer.evaluator, self._states, 256)
            out.update(_keys(score_moves(self.positions, moves), "network"))
        if search_due:
            out.update(_keys(score_moves(self.positions, self._search_moves(trainer)), "search"))
        out["yardstick/seconds"] = time.perf_counter() - start
        return out

    def _search_moves(self, trainer: Any) -> np.ndarray:
        from az_pz.agents.alphazero import AlphaZeroAgent

        agent = AlphaZeroAgent(trainer.task, trainer.network, search=trainer.config.eval_search(),
                               device=trainer.device, seed=trainer.config.seed + trainer.iteration)
        agent.evaluator = trainer.evaluator  # search through the evaluator self-play uses (its precision, cache)
        moves = [agent.select_actions(self._states[i : i + 256]) for i in range(0, len(self._states), 256)]
        return np.concatenate(moves).astype(np.int64)


def _keys(result: Any, suffix: str) -> dict[str, float]:
    figures = result.overall
    out = {f"yardstick/optimal_{suffix}": figures.optimal, f"yardstick/preserving_{suffix}": figures.preserving}
    for name in ("win_in_one", "loss_avoided"):
        value = getattr(figures, name)
        if not math.isnan(value):
            out[f"yardstick/{name}_{suffix}"] = value
    return out
