"""The agent behind the page: its move in a live env, and what its search thought of the position.

``AgentPlayer`` wraps any registry agent. For agents that search (``AlphaZeroAgent``, rollout ``MCTSAgent``) it
runs the agent's own search with the number of simulations the page asks for and reports the root statistics
(``Analysis``); other agents (random, Stockfish, GNU Go, SB3 models) just move, and the page says so. One lock
serialises the agent: it is shared by every game the server holds, and searches are CPU-bound anyway.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from typing import Any

import numpy as np

from az_pz.agents.base import check_legal, seat_of

TOP_MOVES = 5
"""Moves listed in an analysis."""


@dataclasses.dataclass(frozen=True)
class Analysis:
    """The agent's reply and, for searching agents, its root statistics (values for the agent's own seat)."""

    action: int
    """PettingZoo action played."""
    label: str
    """The move in the game's notation."""
    seconds: float
    """Wall time of the reply."""
    simulations: int | None = None
    """Simulations searched (None: the agent does not search)."""
    value: float | None = None
    """Search estimate of the agent's return from here, in [-1, 1] (mean over the root's visits)."""
    network_value: float | None = None
    """The value head's estimate of the same, before the search (networks only)."""
    top_moves: tuple[dict[str, Any], ...] = ()
    """Best moves by visits: ``{"action", "label", "visits", "share", "prior"}``."""

    def to_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["top_moves"] = list(self.top_moves)
        return data


class AgentPlayer:
    """A registry agent (``"mcts:200"``, ``"alphazero:RUN"``...) made once and shared by the server's games.

    Args:
        agent: the agent object (from ``az_pz.agents.make``).
        spec: how the user named it, for the page.
        max_simulations: the most simulations a request may ask for (a bound on one request's CPU time).
        seed: seed of the generator the page's searches draw from.
    """

    def __init__(self, agent: Any, spec: str, *, max_simulations: int = 5000, seed: int = 0) -> None:
        self.agent = agent
        self.spec = spec
        self.max_simulations = int(max_simulations)
        self.rng = np.random.default_rng(seed)
        self._lock = threading.Lock()

    @property
    def default_simulations(self) -> int | None:
        """The agent's own simulations per move, or None for an agent that does not search."""
        search = self._search_parts(None)
        return None if search is None else int(search[2].num_simulations)

    def game(self) -> tuple[str, dict[str, Any]] | None:
        """(game, env kwargs) the agent was trained on, for agents bound to one game (AlphaZero); else None."""
        task = getattr(self.agent, "task", None)
        if task is None or not hasattr(self.agent, "network"):
            return None
        return task.spec.name, dict(task.spec.env_kwargs)

    def reply(self, env: Any, simulations: int | None = None) -> Analysis:
        """The agent's move for ``env.agent_selection`` (the env is not changed) and what it saw."""
        if simulations is not None and not 1 <= int(simulations) <= self.max_simulations:
            raise ValueError(f"simulations must be between 1 and {self.max_simulations}, got {simulations}")
        from az_pz.web.boards import move_labels

        with self._lock:
            start = time.perf_counter()
            labels = move_labels(env)
            parts = self._search_parts(env)
            if parts is None:
                action = check_legal(env, self.agent.act(env), repr(self.agent))
                return Analysis(action=action, label=labels.get(action, str(action)),
                                seconds=time.perf_counter() - start)
            return self._search(env, parts, simulations, labels, start)

    def _search_parts(self, env: Any) -> tuple[Any, Any, Any] | None:
        """(task, evaluator, search config) of a searching agent (task None before it saw a game), else None."""
        from az_pz.agents.mcts import MCTSAgent

        agent = self.agent
        if hasattr(agent, "network") and hasattr(agent, "search_config") and agent.search_config.num_simulations > 0:
            return agent.task, agent.evaluator, agent.search_config
        if isinstance(agent, MCTSAgent):
            from az_pz.evaluators import RolloutEvaluator

            task = agent._task_for(env) if env is not None else agent.task
            return task, RolloutEvaluator(num_rollouts=agent.num_rollouts, rng=self.rng), agent.config
        return None

    def _search(self, env: Any, parts: tuple[Any, Any, Any], simulations: int | None, labels: dict[int, str],
                start: float) -> Analysis:
        from az_pz.search import run_search

        task, evaluator, config = parts
        if simulations is not None:
            config = dataclasses.replace(config, num_simulations=int(simulations))
        state = task.state_from_env(env)
        seat = seat_of(env)
        output = run_search(task, evaluator, [state], config, self.rng)
        action = check_legal(env, int(output.action[0]), repr(self.agent))
        evaluation = evaluator.evaluate(task, [state])
        mask = np.asarray(task.legal_mask(state), bool)
        logits = np.where(mask, evaluation.prior_logits[0, : mask.shape[0]], -np.inf)
        priors = np.exp(logits - logits.max())
        priors /= priors.sum()
        visits = np.asarray(output.visit_counts[0, : mask.shape[0]], np.int64)
        order = sorted(np.flatnonzero(mask), key=lambda a: (-visits[a], -priors[a]))[:TOP_MOVES]
        total = max(int(visits.sum()), 1)
        top = tuple({"action": int(a), "label": labels.get(int(a), str(a)), "visits": int(visits[a]),
                     "share": round(float(visits[a]) / total, 4), "prior": round(float(priors[a]), 4)}
                    for a in order)
        network_value = float(evaluation.values[0, seat]) if hasattr(self.agent, "network") else None
        return Analysis(action=action, label=labels.get(action, str(action)), seconds=time.perf_counter() - start,
                        simulations=int(config.num_simulations), value=float(output.root_values[0, seat]),
                        network_value=network_value, top_moves=top)
