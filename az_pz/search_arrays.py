"""The search tree's arrays as :class:`az_pz.search.MCTS` holds them: their first allocation, and the
argument lists the kernels of :mod:`az_pz.tree` take (built once, rebuilt when an array grows), and their
growth when a search needs more room.

The arrays are named in a dict ``a`` (see :mod:`az_pz._arrays`): nodes and edges of ``B`` trees side by
side, plus per-tree root data (noised priors, Gumbel scores and the Sequential Halving schedule).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from az_pz._arrays import NODE_FIELDS, edge_arrays, grow, node_arrays
from az_pz.search_config import SearchConfig

__all__ = ["EXPAND_FIELDS", "allocate", "reserve_edges", "reserve_nodes", "select_args"]

EXPAND_FIELDS = (
    "visits", "pending", "value_sum", "evals", "reward", "to_play", "terminal", "depth", "parent", "action",
    "first_edge", "num_edges", "proven", "proven_value", "proven_plies", "edge_action", "edge_prior",
    "edge_child", "root", "node_count", "edge_count", "q_min", "q_max")
"""The arrays ``tree.expand_and_backup`` takes, in its order."""


def allocate(num_games: int, nodes: int, num_players: int, num_actions: int) -> dict[str, np.ndarray]:
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
    return a


def select_args(a: dict[str, np.ndarray], config: SearchConfig, win_value: float) -> tuple:
    """The arrays and options ``tree.select_leaves`` takes after its first four arguments, in its order."""
    c = config
    bounds = c.value_bounds or (0.0, 0.0)
    return (
        *[a[name] for name in NODE_FIELDS], a["edge_action"], a["edge_prior"], a["edge_child"], a["root"],
        a["node_count"], a["q_min"], a["q_max"], a["root_prior"], a["gumbel"], a["search_visits"], a["schedule"],
        a["sim_index"], float(c.c_puct), float(c.c_puct_base), float(c.fpu_reduction), float(c.virtual_loss),
        int(c.max_depth), bool(c.gumbel), float(bounds[0]), float(bounds[1]), c.value_bounds is None,
        float(c.gumbel_c_visit), float(c.gumbel_c_scale), win_value)


def reserve_nodes(a: dict[str, np.ndarray], states: list[list[Any]], extra: int, num_players: int) -> bool:
    """Grow the node arrays (and the per-node state lists) so every tree has room for ``extra`` more nodes;
    returns whether they grew (then the kernels' argument lists are stale)."""
    num_games, capacity = a["visits"].shape[:2]
    need = int(a["node_count"].max()) + extra
    if need <= capacity:
        return False
    grown = max(2 * capacity, need)
    grow(a, node_arrays(num_games, grown - capacity, num_players))
    for tree_states in states:
        tree_states.extend([None] * (grown - capacity))
    return True


def reserve_edges(a: dict[str, np.ndarray], need: int) -> bool:
    """Grow the edge arrays to at least ``need`` slots per tree; returns whether they grew."""
    num_games, capacity = a["edge_action"].shape[:2]
    if need <= capacity:
        return False
    grow(a, edge_arrays(num_games, max(2 * capacity, need) - capacity))
    return True
