"""The search tree's arrays as :class:`az_pz.search.MCTS` holds them: their first allocation as one
:class:`~az_pz._arrays.TreeArrays`, the selection kernel's options (:class:`SelectOptions`), and the
arrays' growth when a search needs more room (a new ``TreeArrays``, which the kernels then take).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from az_pz._arrays import TreeArrays, edge_arrays, grow, node_arrays
from az_pz.search_config import SearchConfig

__all__ = ["SelectOptions", "TreeArrays", "allocate", "reserve_edges", "reserve_nodes", "select_options"]


class SelectOptions(NamedTuple):
    """The scalars ``tree.select_leaves`` reads (from :class:`SearchConfig`), typed as numba compiles them."""

    c_init: float
    c_base: float
    fpu_reduction: float
    virtual_loss: float
    max_depth: int
    use_gumbel: bool
    lo: float
    hi: float
    minmax: bool
    c_visit: float
    c_scale: float
    win_value: float
    discount: float


def allocate(num_games: int, nodes: int, num_players: int, num_actions: int) -> TreeArrays:
    """Empty trees for ``num_games`` games with room for ``nodes`` nodes each (more edges per node are kept
    for up to 16 actions; both grow on demand)."""
    a = node_arrays(num_games, nodes, num_players)
    a.update(edge_arrays(num_games, nodes * min(num_actions, 16)))
    a.update({
        "root": np.zeros(num_games, np.int32), "node_count": np.zeros(num_games, np.int32),
        "edge_count": np.zeros(num_games, np.int32),
        "q_min": np.full(num_games, np.inf), "q_max": np.full(num_games, -np.inf),
        "root_prior": np.zeros((num_games, num_actions), np.float32),
        "gumbel": np.full((num_games, num_actions), -np.inf, np.float32),
        "search_visits": np.zeros((num_games, num_actions), np.int32),
        "schedule": np.zeros((num_games, 1), np.int32), "sim_index": np.zeros(num_games, np.int32),
    })
    return TreeArrays(**a)


def select_options(config: SearchConfig, win_value: float) -> SelectOptions:
    """The options ``tree.select_leaves`` takes after the tree."""
    c = config
    bounds = c.value_bounds or (0.0, 0.0)
    return SelectOptions(
        float(c.c_puct), float(c.c_puct_base), float(c.fpu_reduction), float(c.virtual_loss), int(c.max_depth),
        bool(c.gumbel), float(bounds[0]), float(bounds[1]), c.value_bounds is None, float(c.gumbel_c_visit),
        float(c.gumbel_c_scale), float(win_value), float(c.discount))


def reserve_nodes(a: TreeArrays, states: list[list[Any]], extra: int, num_players: int) -> TreeArrays:
    """``a`` with room for ``extra`` more nodes in every tree (a grown copy, or ``a`` itself when it has
    room); the per-node state lists grow alongside."""
    num_games, capacity = a.visits.shape[:2]
    need = int(a.node_count.max()) + extra
    if need <= capacity:
        return a
    grown = max(2 * capacity, need)
    for tree_states in states:
        tree_states.extend([None] * (grown - capacity))
    return grow(a, node_arrays(num_games, grown - capacity, num_players))


def reserve_edges(a: TreeArrays, need: int) -> TreeArrays:
    """``a`` with at least ``need`` edge slots per tree (a grown copy, or ``a`` itself)."""
    num_games, capacity = a.edge_action.shape[:2]
    if need <= capacity:
        return a
    return grow(a, edge_arrays(num_games, max(2 * capacity, need) - capacity))
