"""Players on task states: the one protocol every batched match speaks, and the search player.

A player is anything with ``choose(states, rng) -> int64 [len(states)]``: it picks a move for
every given state at once, so a search player sends the leaves of all those games to its
evaluator together. :class:`SearchPlayer` is the single search-based player of az_pz: training's
evaluation and gating arena play with it, ``AlphaZeroAgent`` searches through it, and
:func:`rollout_player` makes the network-free baseline (``MCTSAgent``, training's rollout opponent).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from az_pz.evaluators import Evaluator, RolloutEvaluator
from az_pz.search import MCTS, SearchConfig
from az_pz.task import Task

__all__ = ["Player", "RandomPlayer", "SearchPlayer", "rollout_player"]


class Player(Protocol):
    """Chooses one action for each of ``states`` (all of them positions where this player moves)."""

    def choose(self, states: Sequence[Any], rng: np.random.Generator) -> np.ndarray: ...


class RandomPlayer:
    """Uniformly random among the legal actions."""

    def __init__(self, task: Task) -> None:
        self.task = task

    def choose(self, states: Sequence[Any], rng: np.random.Generator) -> np.ndarray:
        return np.array([rng.choice(np.flatnonzero(self.task.legal_mask(s))) for s in states], np.int64)


class SearchPlayer:
    """MCTS with an evaluator (a network or rollouts): the most visited action, or Gumbel's choice.

    The searched games change from call to call (only those where this player moves), so trees are
    not reused between moves. The search's arrays are allocated for ``max_games`` games at once, or
    on the first call (and grown when a call brings more states) when ``max_games`` is None.
    """

    def __init__(self, task: Task, evaluator: Evaluator, config: SearchConfig, max_games: int | None = None) -> None:
        self.task = task
        self.evaluator = evaluator
        self.config = config
        self.mcts: MCTS | None = None
        """The search, made for ``max_games`` games (None until the first call when no ``max_games``)."""
        self.moves_searched = 0
        """Positions searched so far (one per state handed to :meth:`choose`)."""
        self.simulations = 0
        """Simulations those searches ran (with ``config.time_per_move_s``, what the time bought)."""
        if max_games is not None:
            self.mcts = MCTS(task, evaluator, config, num_games=max(1, max_games))

    def reset(self) -> None:
        """Forget the trees (each call searches afresh anyway)."""
        if self.mcts is not None:
            self.mcts.reset()

    def choose(self, states: Sequence[Any], rng: np.random.Generator, deterministic: bool = True) -> np.ndarray:
        """int64 ``[len(states)]``: one batched search from every state, no root noise when ``deterministic``.

        Deterministic play takes the most visited action (PUCT) or Gumbel's selected action; otherwise PUCT
        samples in proportion to the visits and Gumbel samples through its root noise (Gumbel-Top-k).
        """
        if not len(states):
            return np.zeros(0, np.int64)
        if self.mcts is None or self.mcts.num_games < len(states):
            self.mcts = MCTS(self.task, self.evaluator, self.config, num_games=max(len(states), 1))
        self.mcts.reset()
        gumbel = self.config.gumbel
        output = self.mcts.search(list(states), rng, add_noise=gumbel and not deterministic)
        self.moves_searched += len(states)
        self.simulations += int(self.mcts.last_simulations.sum())
        if gumbel or deterministic:
            # The search's own choice: the most visited move, or the prior's where a solved root left no
            # visits (MCTS-Solver), never an argmax over all-zero counts.
            return np.asarray(output.action, np.int64)
        policy = np.asarray(output.policy, np.float64)
        return np.array([rng.choice(len(p), p=p / p.sum()) for p in policy], np.int64)


def rollout_player(task: Task, config: SearchConfig, rng: np.random.Generator, *, num_rollouts: int = 1,
                   max_games: int | None = None) -> SearchPlayer:
    """The classic network-free baseline: the same search with uniform priors and values from
    ``num_rollouts`` random playouts per leaf (drawn from ``rng``)."""
    return SearchPlayer(task, RolloutEvaluator(num_rollouts=num_rollouts, rng=rng), config, max_games=max_games)
