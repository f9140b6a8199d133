"""The search's flat per-tree arrays as one typed structure, :class:`TreeArrays` (layout documented in
``az_pz.tree``), and their allocation and growth.

A ``NamedTuple`` of arrays is what numba compiles best: the kernels take it whole as one typed, immutable
argument (no positional lists to keep in order), and the Python side reads its fields by name. Growing an
array makes a new ``TreeArrays`` (``_replace``); the arrays themselves are written in place.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class TreeArrays(NamedTuple):
    """Nodes and edges of ``B`` trees side by side, plus per-tree root data (see ``az_pz.tree``)."""

    visits: np.ndarray
    pending: np.ndarray
    value_sum: np.ndarray
    evals: np.ndarray
    reward: np.ndarray
    to_play: np.ndarray
    terminal: np.ndarray
    depth: np.ndarray
    parent: np.ndarray
    action: np.ndarray
    first_edge: np.ndarray
    num_edges: np.ndarray
    proven: np.ndarray
    proven_value: np.ndarray
    proven_return: np.ndarray
    proven_plies: np.ndarray
    edge_action: np.ndarray
    edge_prior: np.ndarray
    edge_child: np.ndarray
    root: np.ndarray
    node_count: np.ndarray
    edge_count: np.ndarray
    q_min: np.ndarray
    q_max: np.ndarray
    root_prior: np.ndarray
    gumbel: np.ndarray
    search_visits: np.ndarray
    schedule: np.ndarray
    sim_index: np.ndarray


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
        "proven_return": np.zeros((b, n, p), np.float32), "proven_plies": np.zeros((b, n), np.int32),
    }


def edge_arrays(num_games: int, edges: int) -> dict[str, np.ndarray]:
    """Fresh edge arrays ``[B, E]`` (children -1: not created yet)."""
    return {
        "edge_action": np.zeros((num_games, edges), np.int32),
        "edge_prior": np.zeros((num_games, edges), np.float32),
        "edge_child": np.full((num_games, edges), -1, np.int32),
    }


NODE_FIELDS = ("visits", "pending", "value_sum", "evals", "reward", "to_play", "terminal", "depth", "parent",
               "action", "first_edge", "num_edges", "proven", "proven_value", "proven_return",
               "proven_plies")
"""Names of the node arrays (the first fields of :class:`TreeArrays`)."""


def grow(arrays: TreeArrays, fresh: dict[str, np.ndarray]) -> TreeArrays:
    """``arrays`` with ``fresh``'s slots appended to the arrays of the same names, along the slot axis (1)."""
    return arrays._replace(**{name: np.concatenate([getattr(arrays, name), extra], axis=1)
                              for name, extra in fresh.items()})
