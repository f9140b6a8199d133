"""The search's hot loops over flat per-tree arrays, compiled with numba.

Every function here is plain Python over NumPy arrays; ``numba.njit`` compiles
it, and :data:`REFERENCE` holds the same source run by the interpreter (slow,
readable, and tested to give bit-identical trees). Nothing here knows about
states or tasks: the Python side steps the task and calls the evaluator.

Layout (``B`` trees, ``N`` node slots, ``E`` edge slots, ``P`` seats):

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
  (plies to the end along the proof). A node is proven when one child gives its
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

import math
import types

import numpy as np
from numba import njit

NEW, TERMINAL, DEPTH, PROVEN = 0, 1, 2, 3
"""Kinds of leaves a descent ends on (only NEW ones go to the evaluator; PROVEN ones back up their exact value)."""

LOSS_SCORE = -1e30
"""PUCT score of an edge proven lost for the mover: taken only when every other edge is lost too."""


@njit(cache=True)
def normalize_q(q, lo, hi):
    """Map a Q value to [0, 1] given its bounds (left as is while the bounds are unknown, as in MuZero)."""
    if hi > lo:
        return (q - lo) / (hi - lo)
    return q


@njit(cache=True)
def backup(b, node, value, release, visits, pending, value_sum, reward, parent, to_play, root, q_min, q_max):
    """Add the return ``value`` [P] (from ``node`` on) to ``node`` and every ancestor up to the root.

    Going up one edge adds that edge's rewards (returns are undiscounted sums).
    ``release`` removes the virtual visit the descent put on the path. The Q of
    each edge on the path (for the parent's mover) widens the tree's min-max bounds.
    """
    num_players = value.shape[0]
    ret = value.copy()
    n = node
    top = root[b]
    while True:
        visits[b, n] += 1
        if release:
            pending[b, n] -= 1
        for s in range(num_players):
            value_sum[b, n, s] += ret[s]
        if n == top:
            break
        p = parent[b, n]
        mover = to_play[b, p]
        q = reward[b, n, mover] + value_sum[b, n, mover] / visits[b, n]
        if q < q_min[b]:
            q_min[b] = q
        if q > q_max[b]:
            q_max[b] = q
        for s in range(num_players):
            ret[s] += reward[b, n, s]
        n = p


@njit(cache=True)
def completed_q_sigma(b, node, visits, value_sum, evals, reward, to_play, first_edge, num_edges, edge_prior,
                      edge_child, c_visit, c_scale):
    """sigma(completed Q) of the node's edges (Danihelka et al. 2022, eq. 8 and appendix D).

    Visited edges keep their Q; unvisited ones get the mixed value
    ``(v_hat + sum_b N(b) * sum_visited pi(b) q(b) / sum_visited pi(b)) / (1 + sum_b N(b))``;
    the completed Q's are rescaled to [0, 1] over the legal edges and scaled by
    ``(c_visit + max_b N(b)) * c_scale`` (mctx's ``qtransform_completed_by_mix_value``).
    Returns float64 ``[num_edges]`` in edge order.
    """
    first = first_edge[b, node]
    count = num_edges[b, node]
    s = to_play[b, node]
    q = np.zeros(count)
    visited = np.zeros(count, np.bool_)
    sum_visits = 0.0
    max_visits = 0.0
    sum_prior = 0.0
    weighted = 0.0
    for k in range(count):
        child = edge_child[b, first + k]
        if child >= 0 and visits[b, child] > 0:
            n = visits[b, child]
            q[k] = reward[b, child, s] + value_sum[b, child, s] / n
            visited[k] = True
            sum_visits += n
            max_visits = max(max_visits, n)
            sum_prior += edge_prior[b, first + k]
            weighted += edge_prior[b, first + k] * q[k]
    mixed = evals[b, node, s]
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
def puct_pick(b, n, is_root, visits, pending, value_sum, reward, to_play, first_edge, num_edges, edge_prior,
              edge_child, proven, proven_value, proven_plies, root_prior, q_min, q_max, c_init, c_base, fpu_reduction,
              virtual_loss, lo, hi, minmax, win_value):
    """Index (within the node's edges) maximising Q + U (AlphaZero pseudocode's ucb_score).

    ``U = (log((1 + N + c_base) / c_base) + c_init) * P(a) * sqrt(N) / (1 + N(a))``,
    with N counting simulations in flight. Q is for the player to move at ``n``;
    an unvisited edge gets the node's own value minus ``fpu_reduction``; each
    simulation in flight below an edge counts as a return of ``-virtual_loss``.
    A proven child has its exact Q; one proven lost for the mover (``Q <= -win_value``)
    is never chosen while another edge is not.
    """
    s = to_play[b, n]
    parent_visits = visits[b, n] + pending[b, n]
    c = math.log((1.0 + parent_visits + c_base) / c_base) + c_init
    sqrt_visits = math.sqrt(parent_visits)
    fpu = value_sum[b, n, s] / max(visits[b, n], 1) - fpu_reduction
    if minmax:
        lo = q_min[b]
        hi = q_max[b]
    first = first_edge[b, n]
    best = -np.inf
    best_k = 0
    for k in range(num_edges[b, n]):
        e = first + k
        child = edge_child[b, e]
        prior = root_prior[b, k] if is_root else edge_prior[b, e]
        count = 0
        q = fpu
        if child >= 0:
            count = visits[b, child] + pending[b, child]
            if proven[b, child]:
                q = reward[b, child, s] + proven_value[b, child, s]
                if q <= -win_value:
                    score = LOSS_SCORE + prior
                    if score > best:
                        best = score
                        best_k = k
                    continue
            elif count > 0:
                done = visits[b, child]
                q = (done * reward[b, child, s] + value_sum[b, child, s]
                     - virtual_loss * pending[b, child]) / count
        score = normalize_q(q, lo, hi) + c * prior * sqrt_visits / (1.0 + count)
        if score > best:
            best = score
            best_k = k
    return best_k


@njit(cache=True)
def gumbel_pick(b, n, visits, value_sum, evals, reward, to_play, first_edge, num_edges, edge_prior, edge_child,
                gumbel, search_visits, schedule, sim_index, c_visit, c_scale):
    """Sequential Halving at the root: among the considered edges whose visits (this search) equal
    the schedule's target, the one maximising ``g + logits + sigma(completed Q)``.

    ``gumbel[b, k]`` holds ``g(a) + log prior(a)`` for considered edges and -inf for the others.
    """
    sigma = completed_q_sigma(b, n, visits, value_sum, evals, reward, to_play, first_edge, num_edges,
                              edge_prior, edge_child, c_visit, c_scale)
    step = min(sim_index[b], schedule.shape[1] - 1)
    target = schedule[b, step]
    best = -np.inf
    best_k = -1
    fallback = -np.inf
    fallback_k = 0
    fallback_visits = 1 << 30
    for k in range(num_edges[b, n]):
        if gumbel[b, k] == -np.inf:
            continue
        score = gumbel[b, k] + sigma[k]
        if search_visits[b, k] == target and score > best:
            best = score
            best_k = k
        v = search_visits[b, k]
        if v < fallback_visits or (v == fallback_visits and score > fallback):
            fallback = score
            fallback_k = k
            fallback_visits = v
    if best_k < 0:
        return fallback_k
    return best_k


@njit(cache=True)
def select_leaves(remaining, leaves_per_tree, out_tree, out_node,
                  visits, pending, value_sum, evals, reward, to_play, terminal, depth, parent, action,
                  first_edge, num_edges, proven, proven_value, proven_plies, edge_action, edge_prior, edge_child,
                  root, node_count, q_min, q_max, root_prior, gumbel, search_visits, schedule, sim_index,
                  c_init, c_base, fpu_reduction, virtual_loss, max_depth, use_gumbel, lo, hi, minmax,
                  c_visit, c_scale, win_value):
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
    num_players = value_sum.shape[2]
    count = 0
    for b in range(remaining.shape[0]):
        new_leaves = 0
        while remaining[b] > 0 and new_leaves < leaves_per_tree:
            top = root[b]
            n = top
            root_k = -1
            kind = NEW
            while True:
                if terminal[b, n]:
                    kind = TERMINAL
                    break
                if proven[b, n]:
                    kind = PROVEN
                    break
                if first_edge[b, n] < 0:
                    kind = -1
                    break
                if depth[b, n] - depth[b, top] >= max_depth:
                    kind = DEPTH
                    break
                if n == top and use_gumbel:
                    k = gumbel_pick(b, n, visits, value_sum, evals, reward, to_play, first_edge, num_edges,
                                    edge_prior, edge_child, gumbel, search_visits, schedule, sim_index,
                                    c_visit, c_scale)
                else:
                    k = puct_pick(b, n, n == top, visits, pending, value_sum, reward, to_play, first_edge,
                                  num_edges, edge_prior, edge_child, proven, proven_value, proven_plies, root_prior,
                                  q_min, q_max, c_init, c_base, fpu_reduction, virtual_loss, lo, hi, minmax, win_value)
                if n == top:
                    root_k = k
                e = first_edge[b, n] + k
                child = edge_child[b, e]
                if child < 0:
                    child = node_count[b]
                    node_count[b] += 1
                    visits[b, child] = 0
                    pending[b, child] = 0
                    for s in range(num_players):
                        value_sum[b, child, s] = 0.0
                        evals[b, child, s] = 0.0
                        reward[b, child, s] = 0.0
                    to_play[b, child] = -1
                    terminal[b, child] = False
                    depth[b, child] = depth[b, n] + 1
                    parent[b, child] = n
                    action[b, child] = edge_action[b, e]
                    first_edge[b, child] = -1
                    num_edges[b, child] = 0
                    proven[b, child] = False
                    edge_child[b, e] = child
                    n = child
                    kind = NEW
                    break
                n = child
            if kind < 0:
                break
            if root_k >= 0:
                search_visits[b, root_k] += 1
                sim_index[b] += 1
            remaining[b] -= 1
            if kind == NEW:
                m = n
                while True:
                    pending[b, m] += 1
                    if m == top:
                        break
                    m = parent[b, m]
                out_tree[count] = b
                out_node[count] = n
                count += 1
                new_leaves += 1
            else:
                value = np.zeros(num_players)
                if kind == DEPTH:
                    for s in range(num_players):
                        value[s] = float(evals[b, n, s])
                elif kind == PROVEN:
                    for s in range(num_players):
                        value[s] = float(proven_value[b, n, s])
                backup(b, n, value, False, visits, pending, value_sum, reward, parent, to_play, root, q_min, q_max)
    return count


@njit(cache=True)
def better_proof(v, d, best, best_d, win_value):
    """Whether a proven child of value ``v`` for the mover, ``d`` plies from the end, beats the best so far:
    a higher value; at equal value, a faster win and a slower loss (as a perfect solver's scores rank them)."""
    if v != best:
        return v > best
    if v <= -win_value:
        return d > best_d
    return d < best_d


@njit(cache=True)
def try_prove(b, p, to_play, first_edge, num_edges, edge_child, reward, proven, proven_value, proven_plies,
              win_value):
    """Mark node ``p`` proven if its children decide it: one child wins for the mover, or every child is
    proven (the mover takes the best of them). Returns whether ``p`` is proven."""
    if proven[b, p]:
        return True
    first = first_edge[b, p]
    if first < 0:
        return False
    s = to_play[b, p]
    best = -np.inf
    best_d = 0
    best_child = -1
    complete = True
    for k in range(num_edges[b, p]):
        c = edge_child[b, first + k]
        if c < 0 or not proven[b, c]:
            complete = False
            continue
        v = reward[b, c, s] + proven_value[b, c, s]
        d = proven_plies[b, c] + 1
        if best_child < 0 or better_proof(v, d, best, best_d, win_value):
            best = v
            best_d = d
            best_child = c
    if best_child < 0 or not (best >= win_value or complete):
        return False
    proven[b, p] = True
    proven_plies[b, p] = best_d
    for t in range(proven_value.shape[2]):
        proven_value[b, p, t] = reward[b, best_child, t] + proven_value[b, best_child, t]
    return True


@njit(cache=True)
def propagate_proof(b, n, to_play, parent, first_edge, num_edges, edge_child, reward, proven, proven_value,
                    proven_plies, root, win_value):
    """Node ``n`` was just proven: prove its ancestors in turn, as long as they become proven."""
    while n != root[b]:
        p = parent[b, n]
        if not try_prove(b, p, to_play, first_edge, num_edges, edge_child, reward, proven, proven_value,
                         proven_plies, win_value):
            return
        n = p


@njit(cache=True)
def expand_and_backup(leaf_tree, leaf_node, rewards, is_terminal, leaf_to_play, masks, logits, values,
                      term_start, term_action, term_reward, release, solver, win_value,
                      visits, pending, value_sum, evals, reward, to_play, terminal, depth, parent, action,
                      first_edge, num_edges, proven, proven_value, proven_plies, edge_action, edge_prior,
                      edge_child, root, node_count, edge_count, q_min, q_max):
    """Give each NEW leaf its rewards, terminal flag, evaluation and edges (legal actions, softmax priors),
    then back its value up (zero future value on terminal leaves).

    With ``solver``: rows ``term_start[i]:term_start[i + 1]`` of ``term_action`` / ``term_reward`` are the
    actions of leaf ``i`` that end the game and their rewards; their terminal children are created now
    (proven, value 0), the leaf is proven when they decide it (then its exact value is backed up instead
    of the evaluator's), and proofs climb to the ancestors they decide."""
    num_players = values.shape[1]
    num_actions = masks.shape[1]
    for i in range(leaf_tree.shape[0]):
        b = leaf_tree[i]
        n = leaf_node[i]
        value = np.zeros(num_players)
        for s in range(num_players):
            reward[b, n, s] = rewards[i, s]
        if is_terminal[i]:
            terminal[b, n] = True
            to_play[b, n] = -1
            if solver:
                proven[b, n] = True
                proven_plies[b, n] = 0
                for s in range(num_players):
                    proven_value[b, n, s] = 0.0
        else:
            to_play[b, n] = leaf_to_play[i]
            for s in range(num_players):
                evals[b, n, s] = values[i, s]
                value[s] = float(values[i, s])
            top = -np.inf
            for a in range(num_actions):
                if masks[i, a] and float(logits[i, a]) > top:
                    top = float(logits[i, a])
            flat = top == -np.inf  # no finite logit on a legal action: uniform priors
            total = 0.0
            for a in range(num_actions):
                if masks[i, a]:
                    total += 1.0 if flat else math.exp(float(logits[i, a]) - top)
            first = edge_count[b]
            k = 0
            for a in range(num_actions):
                if masks[i, a]:
                    edge_action[b, first + k] = a
                    edge_prior[b, first + k] = (1.0 if flat else math.exp(float(logits[i, a]) - top)) / total
                    edge_child[b, first + k] = -1
                    k += 1
            first_edge[b, n] = first
            num_edges[b, n] = k
            edge_count[b] = first + k
            if solver:
                for j in range(term_start[i], term_start[i + 1]):
                    for kk in range(k):
                        if edge_action[b, first + kk] == term_action[j]:
                            c = node_count[b]
                            node_count[b] += 1
                            visits[b, c] = 0
                            pending[b, c] = 0
                            for s in range(num_players):
                                value_sum[b, c, s] = 0.0
                                evals[b, c, s] = 0.0
                                reward[b, c, s] = term_reward[j, s]
                                proven_value[b, c, s] = 0.0
                            to_play[b, c] = -1
                            terminal[b, c] = True
                            proven[b, c] = True
                            proven_plies[b, c] = 0
                            depth[b, c] = depth[b, n] + 1
                            parent[b, c] = n
                            action[b, c] = term_action[j]
                            first_edge[b, c] = -1
                            num_edges[b, c] = 0
                            edge_child[b, first + kk] = c
                            break
                if try_prove(b, n, to_play, first_edge, num_edges, edge_child, reward, proven, proven_value,
                             proven_plies, win_value):
                    for s in range(num_players):
                        value[s] = float(proven_value[b, n, s])
        backup(b, n, value, release, visits, pending, value_sum, reward, parent, to_play, root, q_min, q_max)
        if solver and proven[b, n]:
            propagate_proof(b, n, to_play, parent, first_edge, num_edges, edge_child, reward, proven, proven_value,
                            proven_plies, root, win_value)


@njit(cache=True)
def compact(b, new_root, visits, pending, value_sum, evals, reward, to_play, terminal, depth, parent, action,
            first_edge, num_edges, proven, proven_value, proven_plies, edge_action, edge_prior, edge_child, root,
            node_count, edge_count):
    """Make the subtree under ``new_root`` tree ``b``'s whole tree, renumbered breadth first from slot 0.

    Statistics are kept; depths become relative to the new root. Returns the
    old slot of each new node (the caller reorders its states the same way).
    """
    total = node_count[b]
    order = np.empty(total, np.int32)
    order[0] = new_root
    head = 0
    tail = 1
    while head < tail:
        n = order[head]
        head += 1
        if first_edge[b, n] >= 0:
            for k in range(num_edges[b, n]):
                child = edge_child[b, first_edge[b, n] + k]
                if child >= 0:
                    order[tail] = child
                    tail += 1
    order = order[:tail]
    new_index = np.full(total, -1, np.int32)
    for j in range(tail):
        new_index[order[j]] = j
    old_edges = edge_count[b]
    old_edge_action = edge_action[b, :old_edges].copy()
    old_edge_prior = edge_prior[b, :old_edges].copy()
    old_edge_child = edge_child[b, :old_edges].copy()
    old_first = first_edge[b][order]
    old_parent = parent[b][order]
    base_depth = depth[b, new_root]
    visits[b, :tail] = visits[b][order]
    pending[b, :tail] = pending[b][order]
    value_sum[b, :tail] = value_sum[b][order]
    evals[b, :tail] = evals[b][order]
    reward[b, :tail] = reward[b][order]
    to_play[b, :tail] = to_play[b][order]
    terminal[b, :tail] = terminal[b][order]
    depth[b, :tail] = depth[b][order] - base_depth
    action[b, :tail] = action[b][order]
    num_edges[b, :tail] = num_edges[b][order]
    proven[b, :tail] = proven[b][order]
    proven_value[b, :tail] = proven_value[b][order]
    proven_plies[b, :tail] = proven_plies[b][order]
    edges = 0
    for j in range(tail):
        parent[b, j] = new_index[old_parent[j]] if j > 0 else -1
        f = old_first[j]
        if f < 0:
            first_edge[b, j] = -1
            continue
        first_edge[b, j] = edges
        for k in range(num_edges[b, j]):
            edge_action[b, edges] = old_edge_action[f + k]
            edge_prior[b, edges] = old_edge_prior[f + k]
            child = old_edge_child[f + k]
            edge_child[b, edges] = new_index[child] if child >= 0 else -1
            edges += 1
    root[b] = 0
    node_count[b] = tail
    edge_count[b] = edges
    return order


KERNELS = ("normalize_q", "backup", "completed_q_sigma", "puct_pick", "gumbel_pick", "select_leaves",
           "better_proof", "try_prove", "propagate_proof", "expand_and_backup", "compact")

JIT = types.SimpleNamespace(**{name: globals()[name] for name in KERNELS})
"""The compiled kernels (numba)."""


def _reference_namespace() -> types.SimpleNamespace:
    """The same kernels run by the interpreter: each function's code with the jitted helpers it
    calls swapped for their interpreted versions (readable, slow, bit-identical)."""
    namespace = dict(globals())
    for name in KERNELS:
        source = globals()[name].py_func
        namespace[name] = types.FunctionType(source.__code__, namespace, name, source.__defaults__)
    return types.SimpleNamespace(**{name: namespace[name] for name in KERNELS})


REFERENCE = _reference_namespace()
"""The pure-Python reference path."""
