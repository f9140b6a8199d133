"""MCTSAgent: plain Monte-Carlo tree search with random rollouts ("mcts:SIMS").

The classic network-free baseline: the same batched PUCT search az_pz trains
with (``az_pz.search``), with uniform priors and values from random playouts
(``az_pz.matches.players.rollout_player``, the training-time baseline too). It searches from the live game
through ``task.state_from_env(env)``, so it plays any game az_pz has a task
for, from either seat.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from az_pz.agents.base import check_legal, env_kwargs_of, game_name


class MCTSAgent:
    """Rollout MCTS with ``num_simulations`` simulations per move.

    Args:
        num_simulations: simulations per move (the ``SIMS`` of ``"mcts:SIMS"``).
        num_rollouts: random playouts averaged per evaluated leaf.
        seed: seed of the agent's ``np.random.Generator`` (rollouts and ties).
        task: the Task to search with; by default made from the env's game on first use.
        **search_overrides: fields of ``az_pz.search.SearchConfig`` (e.g. ``c_puct=1.0``).
    """

    def __init__(
        self,
        num_simulations: int = 100,
        *,
        num_rollouts: int = 1,
        seed: int | None = None,
        task: Any = None,
        **search_overrides: Any,
    ) -> None:
        from az_pz.search import SearchConfig

        if num_simulations < 1:
            raise ValueError(f"num_simulations must be at least 1, got {num_simulations}")
        self.config = dataclasses.replace(SearchConfig(), num_simulations=num_simulations, **search_overrides)
        """Search settings; ``num_simulations`` per move."""
        self.num_rollouts = num_rollouts
        """Random playouts per evaluated leaf."""
        self.rng = np.random.default_rng(seed)
        """Source of all randomness (rollouts, tie breaks)."""
        self.task = task
        """The Task searched; set on first ``act`` when not given."""
        self._task_key: tuple | None = None

    def act(self, env: Any) -> int:
        task = self._task_for(env)
        return check_legal(env, int(self.choose([task.state_from_env(env)], self.rng)[0]), repr(self))

    def choose(self, states: Any, rng: np.random.Generator) -> np.ndarray:
        """The ``Player`` protocol of :mod:`az_pz.matches`: one batched rollout search from every state
        (``task`` must be set), the most visited action; rollouts draw on the agent's own generator."""
        from az_pz.matches.players import rollout_player

        if self.task is None:
            raise ValueError("MCTSAgent.choose needs a task: pass task=... or let act(env) make it from the env")
        player = rollout_player(self.task, self.config, self.rng, num_rollouts=self.num_rollouts)
        return player.choose(states, rng)

    def reset(self) -> None:
        """Each move is searched afresh: nothing to forget."""

    def seed(self, seed: int | None) -> None:
        self.rng = np.random.default_rng(seed)

    def _task_for(self, env: Any) -> Any:
        key = (game_name(env), tuple(sorted(env_kwargs_of(env).items())))
        if self.task is None or (self._task_key is not None and key != self._task_key):
            from az_pz.games import make_task

            self.task = make_task(key[0], **dict(key[1]))
            self._task_key = key
        return self.task

    def __repr__(self) -> str:
        return f"MCTSAgent(num_simulations={self.config.num_simulations})"
