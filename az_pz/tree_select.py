"""Selection and backup kernels of the search (numba): descend each tree to its leaves by PUCT or by a Gumbel
root's Sequential Halving, and back returns up the path. Layout of the arrays: :mod:`az_pz.tree`.

Every kernel takes the tree whole, ``t`` (an :class:`az_pz._arrays.TreeArrays`), and the selection options
``o`` (an :class:`az_pz.search_arrays.SelectOptions`). Each kernel here calls only functions of this module,
so numba's on-disk cache (keyed on this file) is never stale for them.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

NEW, TERMINAL, DEPTH, PROVEN = 0, 1, 2, 3
"""Kinds of leaves a descent ends on (only NEW ones go to the evaluator; PROVEN ones back up their exact value)."""

LOSS_SCORE = -1e30
"""PUCT score of an edge proven lost for the mover: taken only when every other edge is lost too."""



@njit(cache=True)
def add_child(b, n, e, t):
    """Allocate the child of node ``n`` through its edge ``e`` and link it from the edge; return it. The child
    has no visits, value or rewards yet, waits for its evaluation (``first_edge`` -1) and is neither terminal nor
    proven: selection leaves it so (the caller makes its state), expansion's solver marks its terminal ones."""
    c = t.node_count[b]
    t.node_count[b] += 1
    t.visits[b, c] = 0
    t.pending[b, c] = 0
    for s in range(t.value_sum.shape[2]):
        t.value_sum[b, c, s] = 0.0
        t.evals[b, c, s] = 0.0
        t.reward[b, c, s] = 0.0
    t.to_play[b, c] = -1
    t.terminal[b, c] = False
    t.proven[b, c] = False
    t.depth[b, c] = t.depth[b, n] + 1
    t.parent[b, c] = n
    t.action[b, c] = t.edge_action[b, e]
    t.first_edge[b, c] = -1
    t.num_edges[b, c] = 0
    t.edge_child[b, e] = c
    return c


@njit(cache=True)
def normalize_q(q, lo, hi):
    """Map a Q value to [0, 1] given its bounds (left as is while the bounds are unknown, as in MuZero)."""
    if hi > lo:
        return (q - lo) / (hi - lo)
    return q


@njit(cache=True)
def backup(b, node, value, release, t, discount):
    """Add the return ``value`` [P] (from ``node`` on) to ``node`` and every ancestor up to the root.

    Going up one edge discounts the return once and adds that edge's rewards: the return from a node is
    ``reward(child) + discount * return(child)`` (an undiscounted sum at ``discount`` 1).
    ``release`` removes the virtual visit the descent put on the path. The Q of
    each edge on the path (for the parent's mover) widens the tree's min-max bounds.
    """
    num_players = value.shape[0]
    ret = value.copy()
    n = node
    top = t.root[b]
    while True:
        t.visits[b, n] += 1
        if release:
            t.pending[b, n] -= 1
        for s in range(num_players):
            t.value_sum[b, n, s] += ret[s]
        if n == top:
            break
        p = t.parent[b, n]
        mover = t.to_play[b, p]
        q = t.reward[b, n, mover] + discount * t.value_sum[b, n, mover] / t.visits[b, n]
        if q < t.q_min[b]:
            t.q_min[b] = q
        if q > t.q_max[b]:
            t.q_max[b] = q
        for s in range(num_players):
            ret[s] = t.reward[b, n, s] + discount * ret[s]
        n = p


@njit(cache=True)
def completed_q_sigma(b, node, t, c_visit, c_scale, discount):
    """sigma(completed Q) of the node's edges (Danihelka et al. 2022, eq. 8 and appendix D).

    Visited edges keep their Q; unvisited ones get the mixed value
    ``(v_hat + sum_b N(b) * sum_visited pi(b) q(b) / sum_visited pi(b)) / (1 + sum_b N(b))``;
    the completed Q's are rescaled to [0, 1] over the legal edges and scaled by
    ``(c_visit + max_b N(b)) * c_scale`` (mctx's ``qtransform_completed_by_mix_value``).
    Returns float64 ``[num_edges]`` in edge order.
    """
    first = t.first_edge[b, node]
    count = t.num_edges[b, node]
    s = t.to_play[b, node]
    q = np.zeros(count)
    visited = np.zeros(count, np.bool_)
    sum_visits = 0.0
    max_visits = 0.0
    sum_prior = 0.0
    weighted = 0.0
    for k in range(count):
        child = t.edge_child[b, first + k]
        if child >= 0 and t.visits[b, child] > 0:
            n = t.visits[b, child]
            q[k] = t.reward[b, child, s] + discount * t.value_sum[b, child, s] / n
            visited[k] = True
            sum_visits += n
            max_visits = max(max_visits, n)
            sum_prior += t.edge_prior[b, first + k]
            weighted += t.edge_prior[b, first + k] * q[k]
    mixed = t.evals[b, node, s]
    if sum_prior > 0.0:
        mixed = (mixed + sum_visits * weighted / sum_prior) / (sum_visits + 1.0)
    lo = np.inf
    hi = -np.inf
    for k in range(count):
        if not visited[k]:
            q[k] = mixed
        lo = min(lo, q[k])
        hi = max(hi, q[k])
    scale = (c_visit + max_visits) * c_scale
    for k in range(count):
        q[k] = scale * (q[k] - lo) / max(hi - lo, 1e-8)
    return q


@njit(cache=True)
def puct_pick(b, n, is_root, t, o):
    """Index (within the node's edges) maximising Q + U (AlphaZero pseudocode's ucb_score).

    ``U = (log((1 + N + c_base) / c_base) + c_init) * P(a) * sqrt(N) / (1 + N(a))``,
    with N counting simulations in flight. Q is for the player to move at ``n``
    (``reward + discount * value`` of the child);
    an unvisited edge gets the node's own value minus ``fpu_reduction``; each
    simulation in flight below an edge counts as a return of ``-virtual_loss``.
    A proven child has its exact Q; one proven lost for the mover (an undiscounted return
    ``<= -win_value``) is never chosen while another edge is not.
    """
    c_init, c_base, fpu_reduction, virtual_loss = o.c_init, o.c_base, o.fpu_reduction, o.virtual_loss
    lo, hi, minmax, win_value, discount = o.lo, o.hi, o.minmax, o.win_value, o.discount
    s = t.to_play[b, n]
    parent_visits = t.visits[b, n] + t.pending[b, n]
    c = math.log((1.0 + parent_visits + c_base) / c_base) + c_init
    sqrt_visits = math.sqrt(parent_visits)
    fpu = t.value_sum[b, n, s] / max(t.visits[b, n], 1) - fpu_reduction
    if minmax:
        lo = t.q_min[b]
        hi = t.q_max[b]
    first = t.first_edge[b, n]
    best = -np.inf
    best_k = 0
    for k in range(t.num_edges[b, n]):
        e = first + k
        child = t.edge_child[b, e]
        prior = t.root_prior[b, k] if is_root else t.edge_prior[b, e]
        count = 0
        q = fpu
        if child >= 0:
            count = t.visits[b, child] + t.pending[b, child]
            if t.proven[b, child]:
                q = float(t.reward[b, child, s]) + discount * float(t.proven_return[b, child, s])
                if t.reward[b, child, s] + t.proven_value[b, child, s] <= -win_value:
                    score = LOSS_SCORE + prior
                    if score > best:
                        best = score
                        best_k = k
                    continue
            elif count > 0:
                done = t.visits[b, child]
                q = (done * t.reward[b, child, s] + discount * t.value_sum[b, child, s]
                     - virtual_loss * t.pending[b, child]) / count
        score = normalize_q(q, lo, hi) + c * prior * sqrt_visits / (1.0 + count)
        if score > best:
            best = score
            best_k = k
    return best_k


@njit(cache=True)
def gumbel_pick(b, n, t, o):
    """Sequential Halving at the root: among the considered edges whose visits (this search) equal
    the schedule's target, the one maximising ``g + logits + sigma(completed Q)``.

    ``t.gumbel[b, k]`` holds ``g(a) + log prior(a)`` for considered edges and -inf for the others.
    """
    sigma = completed_q_sigma(b, n, t, o.c_visit, o.c_scale, o.discount)
    step = min(t.sim_index[b], t.schedule.shape[1] - 1)
    target = t.schedule[b, step]
    best = -np.inf
    best_k = -1
    fallback = -np.inf
    fallback_k = 0
    fallback_visits = 1 << 30
    for k in range(t.num_edges[b, n]):
        if t.gumbel[b, k] == -np.inf:
            continue
        score = t.gumbel[b, k] + sigma[k]
        if t.search_visits[b, k] == target and score > best:
            best = score
            best_k = k
        v = t.search_visits[b, k]
        if v < fallback_visits or (v == fallback_visits and score > fallback):
            fallback = score
            fallback_k = k
            fallback_visits = v
    if best_k < 0:
        return fallback_k
    return best_k


@njit(cache=True)
def select_leaves(remaining, leaves_per_tree, out_tree, out_node, t, o):
    """Descend each tree ``b`` with ``remaining[b] > 0`` up to ``leaves_per_tree`` times; return the leaf count.

    A descent ends on a NEW leaf (a child created lazily on its first traversal:
    its node is allocated here, its state is made by the caller), on a terminal
    node (backed up at once with zero future value), on a proven node (backed up
    at once with its exact value), or at ``max_depth`` plies
    below the root (backed up at once with the evaluator's value of that node,
    never a silent zero). NEW leaves get a virtual visit along their path so
    the next descent of the same tree is pushed elsewhere; they are written to
    ``out_tree`` / ``out_node``. A descent that runs into a leaf still waiting
    for its evaluation stops the tree's collection for this round.
    """
    num_players = t.value_sum.shape[2]
    count = 0
    for b in range(remaining.shape[0]):
        new_leaves = 0
        while remaining[b] > 0 and new_leaves < leaves_per_tree:
            top = t.root[b]
            n = top
            root_k = -1
            kind = NEW
            while True:
                if t.terminal[b, n]:
                    kind = TERMINAL
                    break
                if t.proven[b, n]:
                    kind = PROVEN
                    break
                if t.first_edge[b, n] < 0:
                    kind = -1
                    break
                if t.depth[b, n] - t.depth[b, top] >= o.max_depth:
                    kind = DEPTH
                    break
                if n == top and o.use_gumbel:
                    k = gumbel_pick(b, n, t, o)
                else:
                    k = puct_pick(b, n, n == top, t, o)
                if n == top:
                    root_k = k
                e = t.first_edge[b, n] + k
                child = t.edge_child[b, e]
                if child < 0:
                    n = add_child(b, n, e, t)
                    kind = NEW
                    break
                n = child
            if kind < 0:
                break
            if root_k >= 0:
                t.search_visits[b, root_k] += 1
                t.sim_index[b] += 1
            remaining[b] -= 1
            if kind == NEW:
                m = n
                while True:
                    t.pending[b, m] += 1
                    if m == top:
                        break
                    m = t.parent[b, m]
                out_tree[count] = b
                out_node[count] = n
                count += 1
                new_leaves += 1
            else:
                value = np.zeros(num_players)
                if kind == DEPTH:
                    for s in range(num_players):
                        value[s] = float(t.evals[b, n, s])
                elif kind == PROVEN:
                    for s in range(num_players):
                        value[s] = float(t.proven_return[b, n, s])
                backup(b, n, value, False, t, o.discount)
    return count
