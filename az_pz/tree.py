"""The search's hot loops over flat per-tree arrays, compiled with numba.

The kernels live by concept in :mod:`az_pz.tree_select` (selection and backup)
and :mod:`az_pz.tree_expand` (expansion and proofs); tree compaction is here.
Every kernel is plain Python over NumPy arrays; ``numba.njit`` compiles it, and
:data:`REFERENCE` holds the same source run by the interpreter (slow, readable,
and tested to give bit-identical trees). Nothing here knows about
states or tasks: the Python side steps the task and calls the evaluator.

The arrays are the fields of one typed structure, :class:`az_pz._arrays.TreeArrays`
(a ``NamedTuple`` numba compiles as one argument, ``t``). Layout (``B`` trees,
``N`` node slots, ``E`` edge slots, ``P`` seats):

* node arrays ``[B, N]``: ``visits`` (completed simulations through the node,
  its own first evaluation included), ``pending`` (simulations in flight, for
  virtual loss), ``to_play`` (seat to move; -1 on terminal nodes),
  ``terminal``, ``depth`` (plies below the root), ``parent``, ``action`` (of
  the edge into the node), ``first_edge`` / ``num_edges`` (the node's block of
  edges; ``first_edge == -1`` while the node waits for its evaluation);
* node arrays ``[B, N, P]``: ``value_sum`` (sum of returns *from the node on*,
  seat order), ``evals`` (the evaluator's value of the node), ``reward`` (the
  rewards of the edge into the node);
* edge arrays ``[B, E]``: ``edge_action``, ``edge_prior`` (softmax over legal
  actions of the evaluator's logits), ``edge_child`` (-1 until first traversed:
  children are created lazily);
* solver (MCTS-Solver, Winands et al. 2008), node arrays: ``proven`` (the
  node's exact return is known) and ``proven_value`` ``[B, N, P]`` (that
  return from the node on, seat order; 0 on terminal nodes) and ``proven_plies``
  (plies to the end along the proof); ``proven_return`` ``[B, N, P]`` is the same
  line's return discounted per ply as the search backs values up (``SearchConfig.discount``;
  equal to ``proven_value`` at 1). A node is proven when one child gives its
  mover a win (``reward + proven_value >= win_value``; the fastest known) or when
  every child is proven (then: the child best for the mover, a win as fast and a
  loss as slow as can be). A search
  with ``solver`` on creates the terminal children of each node when it is
  expanded, so a win in one is proven before any simulation goes below it;
* per tree ``[B]``: ``root``, ``node_count``, ``edge_count``, ``q_min``/``q_max``
  (bounds of the Q values seen, for min-max normalisation).

Values: the value of edge ``a`` at node ``n`` for seat ``s`` is
``reward_s(child) + value_sum_s(child) / visits(child)``: the reward met on
the edge plus the mean return from the child on. PUCT compares these for the
seat to move at ``n``.
"""

from __future__ import annotations

import types

import numpy as np
from numba import njit

from az_pz import tree_expand, tree_select
from az_pz.tree_expand import better_proof, expand_and_backup, propagate_proof, try_prove
from az_pz.tree_select import (DEPTH, LOSS_SCORE, NEW, PROVEN, TERMINAL, add_child, backup, completed_q_sigma,
                               gumbel_pick, normalize_q, puct_pick, select_leaves)

__all__ = ["DEPTH", "JIT", "KERNELS", "LOSS_SCORE", "NEW", "PROVEN", "REFERENCE", "TERMINAL", "add_child", "backup",
           "better_proof", "compact", "completed_q_sigma", "expand_and_backup", "gumbel_pick", "normalize_q",
           "propagate_proof", "puct_pick", "select_leaves", "try_prove"]


@njit(cache=True)
def compact(b, new_root, t):
    """Make the subtree under ``new_root`` tree ``b``'s whole tree, renumbered breadth first from slot 0.

    Statistics are kept; depths become relative to the new root. Returns the
    old slot of each new node (the caller reorders its states the same way).
    """
    total = t.node_count[b]
    order = np.empty(total, np.int32)
    order[0] = new_root
    head = 0
    tail = 1
    while head < tail:
        n = order[head]
        head += 1
        if t.first_edge[b, n] >= 0:
            for k in range(t.num_edges[b, n]):
                child = t.edge_child[b, t.first_edge[b, n] + k]
                if child >= 0:
                    order[tail] = child
                    tail += 1
    order = order[:tail]
    new_index = np.full(total, -1, np.int32)
    for j in range(tail):
        new_index[order[j]] = j
    old_edges = t.edge_count[b]
    old_edge_action = t.edge_action[b, :old_edges].copy()
    old_edge_prior = t.edge_prior[b, :old_edges].copy()
    old_edge_child = t.edge_child[b, :old_edges].copy()
    old_first = t.first_edge[b][order]
    old_parent = t.parent[b][order]
    base_depth = t.depth[b, new_root]
    t.visits[b, :tail] = t.visits[b][order]
    t.pending[b, :tail] = t.pending[b][order]
    t.value_sum[b, :tail] = t.value_sum[b][order]
    t.evals[b, :tail] = t.evals[b][order]
    t.reward[b, :tail] = t.reward[b][order]
    t.to_play[b, :tail] = t.to_play[b][order]
    t.terminal[b, :tail] = t.terminal[b][order]
    t.depth[b, :tail] = t.depth[b][order] - base_depth
    t.action[b, :tail] = t.action[b][order]
    t.num_edges[b, :tail] = t.num_edges[b][order]
    t.proven[b, :tail] = t.proven[b][order]
    t.proven_value[b, :tail] = t.proven_value[b][order]
    t.proven_return[b, :tail] = t.proven_return[b][order]
    t.proven_plies[b, :tail] = t.proven_plies[b][order]
    edges = 0
    for j in range(tail):
        t.parent[b, j] = new_index[old_parent[j]] if j > 0 else -1
        f = old_first[j]
        if f < 0:
            t.first_edge[b, j] = -1
            continue
        t.first_edge[b, j] = edges
        for k in range(t.num_edges[b, j]):
            t.edge_action[b, edges] = old_edge_action[f + k]
            t.edge_prior[b, edges] = old_edge_prior[f + k]
            child = old_edge_child[f + k]
            t.edge_child[b, edges] = new_index[child] if child >= 0 else -1
            edges += 1
    t.root[b] = 0
    t.node_count[b] = tail
    t.edge_count[b] = edges
    return order


KERNELS = ("add_child", "normalize_q", "backup", "completed_q_sigma", "puct_pick", "gumbel_pick", "select_leaves",
           "better_proof", "try_prove", "propagate_proof", "expand_and_backup", "compact")

JIT = types.SimpleNamespace(**{name: globals()[name] for name in KERNELS})
"""The compiled kernels (numba)."""


def _reference_namespace() -> types.SimpleNamespace:
    """The same kernels run by the interpreter: each function's code with the jitted helpers it
    calls swapped for their interpreted versions (readable, slow, bit-identical)."""
    namespace = {**vars(tree_select), **vars(tree_expand), **globals()}
    for name in KERNELS:
        source = globals()[name].py_func
        namespace[name] = types.FunctionType(source.__code__, namespace, name, source.__defaults__)
    return types.SimpleNamespace(**{name: namespace[name] for name in KERNELS})


REFERENCE = _reference_namespace()
"""The pure-Python reference path."""
