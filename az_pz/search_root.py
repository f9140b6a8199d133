"""The roots of :class:`az_pz.search.MCTS`: whether a kept tree still fits, a fresh root node, and the
root's exploration (Dirichlet noise for PUCT, Gumbel-Top-k and the Sequential Halving schedule for Gumbel).

Functions over the tree's arrays (``a``, see :mod:`az_pz._arrays`); they draw from ``rng`` in the order
the search always has, so a seeded search plays the same moves.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from az_pz import _gumbel
from az_pz._arrays import TreeArrays
from az_pz.search_config import SearchConfig
from az_pz.task import Task

__all__ = ["clear_root", "matches_root", "prepare_roots", "root_edges", "root_rows"]


def root_edges(a: TreeArrays, game: int) -> tuple[int, int, int]:
    """``(root node, its first edge, its number of edges)`` of ``game``'s tree."""
    root = a.root[game]
    return root, a.first_edge[game, root], a.num_edges[game, root]


def matches_root(a: TreeArrays, tree_states: list[Any], task: Task,
                 search_mask: Callable[[Any], np.ndarray], game: int, state: Any) -> bool:
    """Whether ``game``'s kept tree is rooted at ``state`` (then its stored state becomes ``state``): same
    player to move, same searched actions, and the same ``task.key`` (else the same observation)."""
    if a.node_count[game] == 0:
        return False
    root, first, num = root_edges(a, game)
    if task.is_terminal(state) or a.to_play[game, root] != task.to_play(state):
        return False
    if not np.array_equal(a.edge_action[game, first:first + num], np.flatnonzero(search_mask(state))):
        return False
    kept = tree_states[root]
    key = getattr(task, "key", None)
    if key is not None:
        if key(state) != key(kept):
            return False
    elif state is not kept and not np.array_equal(task.observe(state), task.observe(kept)):
        return False
    tree_states[root] = state
    return True


def clear_root(a: TreeArrays, game: int) -> None:
    """Make node 0 of ``game``'s (emptied) tree its only node: an unexpanded root awaiting evaluation."""
    a.node_count[game] = 1
    a.root[game] = 0
    a.q_min[game], a.q_max[game] = np.inf, -np.inf
    for name in ("visits", "value_sum", "evals", "reward", "terminal", "depth", "num_edges", "proven"):
        getattr(a, name)[game, 0] = 0
    for name in ("parent", "action", "first_edge", "to_play"):
        getattr(a, name)[game, 0] = -1
    a.pending[game, 0] = 1


def root_rows(task: Task, search_mask: Callable[[Any], np.ndarray],
              states: list[Any]) -> tuple[np.ndarray, np.ndarray]:
    """The fresh roots' movers [N] and searched-action masks [N, A_max], for their evaluation and expansion."""
    to_play = np.array([task.to_play(state) for state in states], np.int32)
    masks = np.zeros((len(states), task.spec.max_actions), np.bool_)
    for i, state in enumerate(states):
        mask = search_mask(state)
        masks[i, :mask.shape[0]] = mask
    return to_play, masks


def prepare_roots(a: TreeArrays, config: SearchConfig, num_games: int, count: int, sims: int,
                  rng: np.random.Generator, add_noise: bool) -> TreeArrays:
    """Root priors for this search: Dirichlet-noised (PUCT, ``add_noise``) or Gumbel-Top-k scores and the
    halving schedule. Returns ``a``, or a copy with a longer schedule array when the search needs one."""
    c = config
    if c.gumbel and a.schedule.shape[1] < max(sims, 1):
        a = a._replace(schedule=np.zeros((num_games, max(sims, 1)), np.int32))
    for b in range(count):
        _, first, num = root_edges(a, b)
        prior = a.edge_prior[b, first:first + num]
        if not c.gumbel:
            if add_noise and c.dirichlet_fraction > 0:
                noise = rng.dirichlet(np.full(num, c.dirichlet_alpha))
                prior = (1 - c.dirichlet_fraction) * prior + c.dirichlet_fraction * noise
            a.root_prior[b, :num] = prior
            continue
        noise = rng.gumbel(size=num) * c.gumbel_scale if add_noise else np.zeros(num)
        scores, considered = _gumbel.considered_scores(prior, c.gumbel_max_considered, noise)
        a.gumbel[b, :num] = scores
        a.search_visits[b] = 0
        a.sim_index[b] = 0
        a.schedule[b, :sims] = _gumbel.halving_schedule(considered, sims)
    return a
