"""Expansion and proof kernels of the search (numba): give new leaves their evaluation and edges, back their
value up, and (MCTS-Solver) prove nodes whose children decide them. Layout of the arrays: :mod:`az_pz.tree`.

``backup`` and ``add_child`` are shared with selection and live in :mod:`az_pz.tree_select`. Numba's on-disk
cache checks only the file of the compiled function, so after editing them in place also touch this file (or delete
``az_pz/__pycache__/*.nbi``/``*.nbc``); an installed package rewrites both files, so users never meet a stale
cache.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from az_pz.tree_select import add_child, backup



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
def try_prove(b, p, t, win_value, discount):
    """Mark node ``p`` proven if its children decide it: one child wins for the mover, or every child is
    proven (the mover takes the best of them). Returns whether ``p`` is proven.

    The proof is made on undiscounted returns (``proven_value``: win, draw or loss, then distance); the
    node's ``proven_return`` is the same line's return discounted as the search backs values up."""
    if t.proven[b, p]:
        return True
    first = t.first_edge[b, p]
    if first < 0:
        return False
    s = t.to_play[b, p]
    best = -np.inf
    best_d = 0
    best_child = -1
    complete = True
    for k in range(t.num_edges[b, p]):
        c = t.edge_child[b, first + k]
        if c < 0 or not t.proven[b, c]:
            complete = False
            continue
        v = t.reward[b, c, s] + t.proven_value[b, c, s]
        d = t.proven_plies[b, c] + 1
        if best_child < 0 or better_proof(v, d, best, best_d, win_value):
            best = v
            best_d = d
            best_child = c
    if best_child < 0 or not (best >= win_value or complete):
        return False
    t.proven[b, p] = True
    t.proven_plies[b, p] = best_d
    for seat in range(t.proven_value.shape[2]):
        t.proven_value[b, p, seat] = t.reward[b, best_child, seat] + t.proven_value[b, best_child, seat]
        t.proven_return[b, p, seat] = (float(t.reward[b, best_child, seat])
                                       + discount * float(t.proven_return[b, best_child, seat]))
    return True


@njit(cache=True)
def propagate_proof(b, n, t, win_value, discount):
    """Node ``n`` was just proven: prove its ancestors in turn, as long as they become proven."""
    while n != t.root[b]:
        p = t.parent[b, n]
        if not try_prove(b, p, t, win_value, discount):
            return
        n = p


@njit(cache=True)
def expand_and_backup(leaf_tree, leaf_node, rewards, is_terminal, leaf_to_play, masks, logits, values,
                      term_start, term_action, term_reward, release, solver, win_value, discount, t):
    """Give each NEW leaf its rewards, terminal flag, evaluation and edges (legal actions, softmax priors),
    then back its value up (zero future value on terminal leaves), discounted by ``discount`` per ply.

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
            t.reward[b, n, s] = rewards[i, s]
        if is_terminal[i]:
            t.terminal[b, n] = True
            t.to_play[b, n] = -1
            if solver:
                t.proven[b, n] = True
                t.proven_plies[b, n] = 0
                for s in range(num_players):
                    t.proven_value[b, n, s] = 0.0
                    t.proven_return[b, n, s] = 0.0
        else:
            t.to_play[b, n] = leaf_to_play[i]
            for s in range(num_players):
                t.evals[b, n, s] = values[i, s]
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
            first = t.edge_count[b]
            k = 0
            for a in range(num_actions):
                if masks[i, a]:
                    t.edge_action[b, first + k] = a
                    t.edge_prior[b, first + k] = (1.0 if flat else math.exp(float(logits[i, a]) - top)) / total
                    t.edge_child[b, first + k] = -1
                    k += 1
            t.first_edge[b, n] = first
            t.num_edges[b, n] = k
            t.edge_count[b] = first + k
            if solver:
                for j in range(term_start[i], term_start[i + 1]):
                    for kk in range(k):
                        if t.edge_action[b, first + kk] == term_action[j]:
                            c = add_child(b, n, first + kk, t)
                            for s in range(num_players):
                                t.reward[b, c, s] = term_reward[j, s]
                                t.proven_value[b, c, s] = 0.0
                                t.proven_return[b, c, s] = 0.0
                            t.terminal[b, c] = True
                            t.proven[b, c] = True
                            t.proven_plies[b, c] = 0
                            break
                if try_prove(b, n, t, win_value, discount):
                    for s in range(num_players):
                        value[s] = float(t.proven_return[b, n, s])
        backup(b, n, value, release, t, discount)
        if solver and t.proven[b, n]:
            propagate_proof(b, n, t, win_value, discount)
