"""The Gumbel root of Danihelka et al. 2022, "Policy improvement by planning with Gumbel".

NumPy helpers around the compiled root selection (``tree.gumbel_pick``):
Gumbel-Top-k sampling of the considered actions, the Sequential Halving visit
schedule, the improved policy target and the final choice. Arrays are over the
root's legal edges, in edge order.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np


@lru_cache(maxsize=1024)
def halving_schedule(num_considered: int, num_simulations: int) -> tuple[int, ...]:
    """Target visit count (in this search) of each simulation's root action under Sequential Halving.

    Each phase visits every surviving action equally, then keeps the better
    half; mctx's ``get_sequence_of_considered_visits``.
    """
    if num_considered <= 1:
        return tuple(range(num_simulations))
    log2max = int(math.ceil(math.log2(num_considered)))
    sequence: list[int] = []
    visits = [0] * num_considered
    considered = num_considered
    while len(sequence) < num_simulations:
        extra = max(1, int(num_simulations / (log2max * considered)))
        for _ in range(extra):
            sequence.extend(visits[:considered])
            for i in range(considered):
                visits[i] += 1
        considered = max(2, considered // 2)
    return tuple(sequence[:num_simulations])


def considered_scores(prior: np.ndarray, max_considered: int, noise: np.ndarray) -> tuple[np.ndarray, int]:
    """Gumbel-Top-k: ``g + logits`` for the ``max_considered`` best edges, -inf for the others.

    ``prior`` [K] is the softmax of the logits, so ``log prior`` are the logits up
    to a constant (which no comparison sees). ``noise`` [K] is ``g`` (zeros for a
    deterministic search). Returns the scores [K] and the number considered.
    """
    scores = noise + np.log(np.maximum(prior, 1e-30))
    considered = min(max_considered, prior.shape[0])
    top = np.argsort(-scores, kind="stable")[:considered]
    out = np.full(prior.shape[0], -np.inf)
    out[top] = scores[top]
    return out, considered


def improved_policy(prior: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """The policy target ``softmax(logits + sigma(completed Q))`` over the root's edges [K]."""
    logits = np.log(np.maximum(prior, 1e-30)) + sigma
    policy = np.exp(logits - logits.max())
    return policy / policy.sum()


def final_choice(scores: np.ndarray, search_visits: np.ndarray, sigma: np.ndarray) -> int:
    """Edge index of the action played: among the considered edges visited most in this search
    (the last survivors of Sequential Halving), the best ``g + logits + sigma(q)``."""
    visits = np.where(np.isfinite(scores), search_visits, -1)
    return int(np.argmax(np.where(visits == visits.max(), scores + sigma, -np.inf)))


def round_choice(scores: np.ndarray, search_visits: np.ndarray, sigma: np.ndarray, level: int) -> int:
    """Edge index of the action played when the clock stops Sequential Halving mid-round: among the
    considered edges still in the round (``level`` visits in this search, or one more), the best
    ``g + logits + sigma(q)``: every survivor of the last finished round competes, none is dropped unvisited."""
    alive = np.isfinite(scores) & (search_visits >= level)
    if not alive.any():  # not with halving_schedule's targets; should it happen, every considered edge competes
        alive = np.isfinite(scores)
    return int(np.argmax(np.where(alive, scores + sigma, -np.inf)))
