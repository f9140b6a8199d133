"""What a search returns: the root statistics read off the tree arrays (:class:`SearchOutput`).

Functions over the tree's arrays (``a``, see :mod:`az_pz._arrays`) after the rounds of
:class:`az_pz.search.MCTS`: the visit counts and policy target (visit distribution, or Gumbel's improved
policy), the root values and the action chosen, as the solver's proofs amend them; and the principal
variation that engines print.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from az_pz import _gumbel
from az_pz._arrays import TreeArrays
from az_pz.search_config import SearchConfig
from az_pz.search_root import root_edges

__all__ = ["SearchOutput", "principal_variation", "search_output"]


@dataclass(frozen=True)
class SearchOutput:
    """The result of one search over ``B`` games."""

    visit_counts: np.ndarray
    """int32 ``[B, A_max]`` visits of the root's children (reused subtrees included)."""
    policy: np.ndarray
    """float32 ``[B, A_max]`` policy target: visit distribution (PUCT) or the Gumbel improved policy."""
    root_values: np.ndarray
    """float32 ``[B, P]`` mean return of each seat from the root, seat order."""
    action: np.ndarray
    """int64 ``[B]`` the search's choice: most visits (PUCT) or Gumbel's selected action."""


def search_output(a: TreeArrays, count: int, config: SearchConfig, kernels: Any, num_actions: int,
                  num_players: int, win_value: float, cut_short: np.ndarray | None = None) -> SearchOutput:
    """The statistics of trees ``0 .. count - 1``; ``win_value`` is the return that counts as a win (solver);
    ``cut_short`` bool ``[count]`` marks the trees whose search the clock stopped before its simulations ran."""
    c = config
    visit_counts = np.zeros((count, num_actions), np.int32)
    policy = np.zeros((count, num_actions), np.float32)
    root_values = np.zeros((count, num_players), np.float32)
    action = np.zeros(count, np.int64)
    for b in range(count):
        root, first, num = root_edges(a, b)
        actions = a.edge_action[b, first:first + num]
        children = a.edge_child[b, first:first + num]
        visits = np.where(children >= 0, a.visits[b, np.maximum(children, 0)], 0)
        prior = a.edge_prior[b, first:first + num].astype(np.float64)
        root_values[b] = a.value_sum[b, root] / a.visits[b, root]
        lost = np.zeros(num, np.bool_)
        if c.solver:
            decided, visits, lost = solved_counts(a, b, root, children, visits, win_value)
            if decided:  # a proven root: its best moves only, and its exact value
                visit_counts[b, actions] = visits
                policy[b, actions] = visits / visits.sum()
                action[b] = actions[np.argmax(visits + 0.5 * prior)]
                root_values[b] = a.proven_return[b, root]
                continue
        visit_counts[b, actions] = visits
        if c.gumbel:
            stopped = cut_short is not None and bool(cut_short[b])
            policy[b, actions], action[b] = gumbel_result(a, c, kernels, b, root, actions, prior, stopped)
            if lost.any():  # the solver prunes moves proven lost from the target and from the choice
                pruned = np.where(lost, 0.0, policy[b, actions])
                policy[b, actions] = pruned / pruned.sum()
                action[b] = actions[np.argmax(pruned)] if lost[actions == action[b]].any() else action[b]
        elif visits.sum() > 0:
            policy[b, actions] = visits / visits.sum()
            action[b] = actions[np.argmax(visits + 0.5 * prior)]  # ties go to the higher prior
        else:
            policy[b, actions] = prior
            action[b] = actions[np.argmax(prior)]
    return SearchOutput(visit_counts=visit_counts, policy=policy, root_values=root_values, action=action)


def solved_counts(a: TreeArrays, b: int, root: int, children: np.ndarray, visits: np.ndarray,
                  win_value: float) -> tuple[bool, np.ndarray, np.ndarray]:
    """The root's visit counts as the solver sees them, and the moves proven lost (unless all are):
    ``(True, counts on the best moves only, -)`` at a proven root (1 each where a best move was proven
    without a visit), else ``(False, visits with the lost moves set to 0, lost)``."""
    mover = a.to_play[b, root]
    safe = np.maximum(children, 0)
    proven = (children >= 0) & a.proven[b, safe]
    exact = a.reward[b, safe, mover] + a.proven_value[b, safe, mover]
    if a.proven[b, root]:
        plies = a.proven_plies[b, safe] + 1
        best = proven & (exact >= a.proven_value[b, root, mover] - 1e-5)
        if abs(a.proven_value[b, root, mover]) >= win_value:  # a win as fast, a loss as slow
            best &= plies == a.proven_plies[b, root]
        counts = np.where(best, np.maximum(visits, 1), 0)
        return True, counts, np.zeros_like(best)
    lost = proven & (exact <= -win_value)
    if lost.any() and not lost.all():
        kept = np.where(lost, 0, visits)
        # Every visit went to moves proven lost since: the others share the choice (1 each).
        return False, kept if kept.any() else (~lost).astype(visits.dtype), lost
    return False, visits, np.zeros_like(lost)


def gumbel_result(a: TreeArrays, config: SearchConfig, kernels: Any, b: int, root: int,
                  actions: np.ndarray, prior: np.ndarray, cut_short: bool = False) -> tuple[np.ndarray, int]:
    """Improved policy softmax(logits + sigma(completed Q)) and the action Sequential Halving selected:
    among the considered actions visited most in this search, the best ``g + logits + sigma(q)``.

    When the clock stopped the search (``cut_short``) the halving is mid-round: the choice is among the
    actions still in that round (visited at least the round's target), the same rule the halving itself
    picks by."""
    c = config
    sigma = kernels.completed_q_sigma(
        b, root, a, float(c.gumbel_c_visit), float(c.gumbel_c_scale), float(c.discount))
    num = actions.shape[0]
    scores, visits = a.gumbel[b, :num].astype(np.float64), a.search_visits[b, :num]
    if cut_short:
        level = int(a.schedule[b, min(int(a.sim_index[b]), a.schedule.shape[1] - 1)])
        choice = _gumbel.round_choice(scores, visits, sigma, level)
    else:
        choice = _gumbel.final_choice(scores, visits, sigma)
    return _gumbel.improved_policy(prior, sigma), int(actions[choice])


def principal_variation(a: TreeArrays, game: int, max_length: int) -> list[int]:
    """From ``game``'s root, the most visited child again and again (ties to the higher prior); see
    :meth:`az_pz.search.MCTS.principal_variation`."""
    line: list[int] = []
    if a.node_count[game] == 0:
        return line
    node = int(a.root[game])
    while len(line) < max_length and not a.terminal[game, node]:
        first, num = int(a.first_edge[game, node]), int(a.num_edges[game, node])
        if first < 0 or num == 0:
            break
        children = a.edge_child[game, first:first + num]
        visits = np.where(children >= 0, a.visits[game, np.maximum(children, 0)], 0)
        k = int(np.argmax(visits + 0.5 * a.edge_prior[game, first:first + num]))
        if visits[k] == 0:
            break
        line.append(int(a.edge_action[game, first + k]))
        node = int(children[k])
    return line
