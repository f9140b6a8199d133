"""The evaluator seam: what the search asks of a network (or of anything else).

The search hands a batch of non-terminal states to ``evaluate`` and gets back,
for each, prior logits over the padded action space and the expected return
of every seat. A neural network, random rollouts, or a constant all plug into
the same search (the OpenSpiel ``Evaluator`` idea).

Conventions (shared with the rest of az_pz):

* ``prior_logits`` is float32 ``[B, A_max]`` with ``A_max = task.spec.max_actions``.
  Columns past the current phase's ``num_actions`` and illegal actions are
  ignored: the search masks them.
* ``values`` is float32 ``[B, P]`` in *seat order*: entry ``[i, s]`` is the
  expected sum of future rewards of seat ``s`` from state ``i`` on. Never
  relative to the mover, never sign-flipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np

from az_pz.task import Task

__all__ = ["Evaluation", "Evaluator", "RolloutEvaluator", "UniformEvaluator"]


@dataclass(frozen=True)
class Evaluation:
    """Priors and values for a batch of states."""

    prior_logits: np.ndarray
    """float32 ``[B, A_max]``; illegal and padded columns are ignored by the search."""
    values: np.ndarray
    """float32 ``[B, P]`` expected return of each seat from the state on, seat order."""

    def __post_init__(self) -> None:
        if self.prior_logits.ndim != 2 or self.values.ndim != 2:
            raise ValueError(
                f"Evaluation wants prior_logits [B, A_max] and values [B, P], got shapes "
                f"{self.prior_logits.shape} and {self.values.shape}"
            )
        if self.prior_logits.shape[0] != self.values.shape[0]:
            raise ValueError(
                f"prior_logits and values disagree on the batch size: "
                f"{self.prior_logits.shape[0]} != {self.values.shape[0]}"
            )


@runtime_checkable
class Evaluator(Protocol):
    """Anything that scores a batch of non-terminal states of a task."""

    def evaluate(self, task: Task, states: Sequence[Any]) -> Evaluation:
        """Priors ``[B, A_max]`` and seat-order values ``[B, P]`` for ``states`` (``B = len(states)``)."""
        ...


class UniformEvaluator:
    """Zero logits (uniform priors over legal actions) and zero values for every seat.

    With it the search is pure tree search guided by the rewards it meets; it
    is also the cheapest evaluator, so it measures the search's own overhead.
    """

    def evaluate(self, task: Task, states: Sequence[Any]) -> Evaluation:
        batch = len(states)
        return Evaluation(
            prior_logits=np.zeros((batch, task.spec.max_actions), np.float32),
            values=np.zeros((batch, task.spec.num_players), np.float32),
        )


class RolloutEvaluator:
    """Uniform priors; values = mean return of uniformly random playouts to the end.

    The classic "plain MCTS" evaluator: the value of a state for seat ``s`` is
    the average over ``num_rollouts`` random games from that state of the sum
    of the rewards seat ``s`` receives on the way (seat order, so it serves
    any number of players and games with intermediate rewards).
    """

    def __init__(
        self,
        num_rollouts: int = 1,
        rng: np.random.Generator | int | None = None,
        *,
        max_steps: int | None = None,
    ) -> None:
        """
        Args:
            num_rollouts: random games played from each state; values are their mean return.
            rng: the generator the playouts draw from (or a seed for one).
            max_steps: stop a playout after this many moves and score the rewards met so
                far (a guard for games that may not end); ``None`` plays to the end.
        """
        if num_rollouts < 1:
            raise ValueError(f"num_rollouts must be at least 1, got {num_rollouts}")
        if max_steps is not None and max_steps < 0:
            raise ValueError(f"max_steps must be non-negative or None, got {max_steps}")
        self.num_rollouts = num_rollouts
        self.rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
        self.max_steps = max_steps

    def evaluate(self, task: Task, states: Sequence[Any]) -> Evaluation:
        num_players = task.spec.num_players
        values = np.zeros((len(states), num_players), np.float64)
        for i, state in enumerate(states):
            for _ in range(self.num_rollouts):
                values[i] += self._playout(task, state)
        values /= self.num_rollouts
        return Evaluation(
            prior_logits=np.zeros((len(states), task.spec.max_actions), np.float32),
            values=values.astype(np.float32),
        )

    def _playout(self, task: Task, state: Any) -> np.ndarray:
        """Sum of the rewards ``[P]`` of one uniformly random game from ``state``."""
        total = np.zeros(task.spec.num_players, np.float64)
        steps = 0
        while not task.is_terminal(state):
            if self.max_steps is not None and steps >= self.max_steps:
                break
            legal = np.flatnonzero(task.legal_mask(state))
            action = int(legal[self.rng.integers(legal.size)])
            state, rewards = task.step(state, action)
            total += rewards
            steps += 1
        return total
