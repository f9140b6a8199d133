"""Allocation of the search's flat per-tree arrays (layout documented in ``az_pz.tree``)."""

from __future__ import annotations

import numpy as np


def node_arrays(num_games: int, nodes: int, players: int) -> dict[str, np.ndarray]:
    """Fresh node arrays ``[B, N]`` / ``[B, N, P]``: empty slots, ready for the kernels to fill."""
    b, n, p = num_games, nodes, players
    return {
        "visits": np.zeros((b, n), np.int32), "pending": np.zeros((b, n), np.int32),
        "value_sum": np.zeros((b, n, p), np.float64), "evals": np.zeros((b, n, p), np.float32),
        "reward": np.zeros((b, n, p), np.float32), "to_play": np.full((b, n), -1, np.int32),
        "terminal": np.zeros((b, n), np.bool_), "depth": np.zeros((b, n), np.int32),
        "parent": np.full((b, n), -1, np.int32), "action": np.full((b, n), -1, np.int32),
        "first_edge": np.full((b, n), -1, np.int32), "num_edges": np.zeros((b, n), np.int32),
        "proven": np.zeros((b, n), np.bool_), "proven_value": np.zeros((b, n, p), np.float32),
        "proven_plies": np.zeros((b, n), np.int32),
    }


def edge_arrays(num_games: int, edges: int) -> dict[str, np.ndarray]:
    """Fresh edge arrays ``[B, E]`` (children -1: not created yet)."""
    return {
        "edge_action": np.zeros((num_games, edges), np.int32),
        "edge_prior": np.zeros((num_games, edges), np.float32),
        "edge_child": np.full((num_games, edges), -1, np.int32),
    }


NODE_FIELDS = ("visits", "pending", "value_sum", "evals", "reward", "to_play", "terminal", "depth", "parent",
               "action", "first_edge", "num_edges", "proven", "proven_value", "proven_plies")
"""Names of the node arrays, in the order the kernels take them."""


def grow(arrays: dict[str, np.ndarray], fresh: dict[str, np.ndarray]) -> None:
    """Append ``fresh``'s slots to the arrays of the same names, along the slot axis (1)."""
    for name, extra in fresh.items():
        arrays[name] = np.concatenate([arrays[name], extra], axis=1)
