"""MCTSAgent: plain Monte-Carlo tree search with random rollouts ("mcts:SIMS", "mcts:50ms").

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


def mcts_budget(arg: str | None) -> tuple[int | None, float | None]:
    """The ``ARG`` of ``"mcts:ARG"`` as ``(num_simulations, time_per_move_s)``: ``"1600"`` -> ``(1600, None)``,
    ``"50ms"`` or ``"0.05s"`` -> ``(None, 0.05)``, nothing -> ``(None, None)``; ValueError otherwise."""
    from az_pz.durations import is_duration, parse_duration

    if arg is None or arg == "":
        return None, None
    try:
        if is_duration(arg):
            return None, parse_duration(arg)
        return int(arg), None
    except ValueError:
        raise ValueError(f"mcts:ARG expects an integer count of simulations (mcts:1600) or a thinking time per move "
                         f"(mcts:50ms, mcts:0.2s), got {arg!r}") from None


class MCTSAgent:
    """Rollout MCTS with ``num_simulations`` simulations per move, or a thinking time per move.

    Args:
        num_simulations: simulations per move (the ``SIMS`` of ``"mcts:SIMS"``); default 100, or no cap when
            ``time_per_move_s`` is given.
        time_per_move_s: thinking time per move in seconds (``"mcts:50ms"``); the search stops at whichever
            comes first, the simulations or the time (``SearchConfig.time_per_move_s``).
        num_rollouts: random playouts averaged per evaluated leaf.
        seed: seed of the agent's ``np.random.Generator`` (rollouts and ties).
        task: the Task to search with; by default made from the env's game on first use.
        **search_overrides: fields of ``az_pz.search.SearchConfig`` (e.g. ``c_puct=1.0``).
    """

    def __init__(
        self,
        num_simulations: int | None = None,
        *,
        time_per_move_s: float | None = None,
        num_rollouts: int = 1,
        seed: int | None = None,
        task: Any = None,
        **search_overrides: Any,
    ) -> None:
        from az_pz.search import NO_SIMULATION_CAP, SearchConfig

        if num_simulations is None:
            num_simulations = 100 if time_per_move_s is None else NO_SIMULATION_CAP
        if num_simulations < 1:
            raise ValueError(f"num_simulations must be at least 1, got {num_simulations}")
        self.config = dataclasses.replace(SearchConfig(), num_simulations=num_simulations,
                                          time_per_move_s=time_per_move_s, **search_overrides)
        """Search settings: ``num_simulations`` and ``time_per_move_s`` per move."""
        self.moves_searched = 0
        """Moves this agent searched so far."""
        self.simulations = 0
        """Simulations those searches ran."""
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
        actions = player.choose(states, rng)
        self.moves_searched += player.moves_searched
        self.simulations += player.simulations
        return actions

    @property
    def simulations_per_move(self) -> float | None:
        """Mean simulations per searched move so far (what a thinking time buys); None before the first move."""
        return self.simulations / self.moves_searched if self.moves_searched else None

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
        from az_pz.search import NO_SIMULATION_CAP

        budget = []
        if self.config.num_simulations != NO_SIMULATION_CAP:
            budget.append(f"num_simulations={self.config.num_simulations}")
        if self.config.time_per_move_s is not None:
            budget.append(f"time_per_move_s={self.config.time_per_move_s:g}")
        return f"MCTSAgent({', '.join(budget)})"
