"""Elo ratings from game results: a maximum-likelihood Bradley-Terry fit with 95% intervals.

The model (Elo 1978; Bradley & Terry 1952): player ``i`` scores against
``j`` with probability ``P_ij = 1 / (1 + 10 ** (-(R_i - R_j) / 400))``; a draw
counts as half a win for each side. The ratings maximise the likelihood of
all results at once (Newton's method on the concave log-likelihood), so a
round robin with unequal schedules is rated consistently, unlike sequential
Elo updates. ``prior_draws`` virtual draws per pair that met keep ratings
finite when one side won every game (BayesElo's device); set it to 0 for the
plain maximum-likelihood estimate.

Intervals come from the Fisher information (the negative Hessian of the
log-likelihood at the optimum): the covariance of the ratings is its
pseudo-inverse under the constraint that fixes the scale's zero, and a 95%
interval is ``rating +- 1.96 * standard error``. They shrink as ``1/sqrt(games)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

ELO_PER_NAT = 400.0 / np.log(10.0)
"""Elo points per unit of the logistic model's natural-log scale."""

Z_95 = 1.959963984540054
"""Two-sided 95% quantile of the standard normal distribution."""


@dataclass(frozen=True)
class EloRatings:
    """Fitted ratings, one entry per player, in the order of ``names``."""

    names: tuple[str, ...]
    ratings: np.ndarray
    """float64 ``[K]`` Elo; the anchor player (or the mean, without one) is 0."""
    stderr: np.ndarray
    """float64 ``[K]`` standard error of each rating relative to the anchor (the anchor's own is 0)."""
    lower: np.ndarray
    """float64 ``[K]`` lower end of the 95% interval."""
    upper: np.ndarray
    """float64 ``[K]`` upper end of the 95% interval."""
    games: np.ndarray
    """int64 ``[K]`` games each player played."""
    scores: np.ndarray
    """float64 ``[K]`` points each player scored (win 1, draw 0.5)."""

    def as_rows(self) -> list[dict[str, float | int | str]]:
        """JSON/CSV-ready rows, strongest first."""
        order = np.argsort(-self.ratings, kind="stable")
        return [
            {
                "agent": self.names[i],
                "elo": round(float(self.ratings[i]), 1) + 0.0,  # + 0.0: no "-0"
                "ci_low": round(float(self.lower[i]), 1) + 0.0,
                "ci_high": round(float(self.upper[i]), 1) + 0.0,
                "stderr": round(float(self.stderr[i]), 1) + 0.0,
                "games": int(self.games[i]),
                "score": float(self.scores[i]),
            }
            for i in order
        ]


def expected_score(rating_difference: float | np.ndarray) -> float | np.ndarray:
    """Expected score of a player ``rating_difference`` Elo above its opponent."""
    return 1.0 / (1.0 + 10.0 ** (-np.asarray(rating_difference) / 400.0))


def fit_elo(
    names: Sequence[str],
    scores: np.ndarray,
    games: np.ndarray,
    *,
    anchor: str | None = None,
    prior_draws: float = 1.0,
    max_iterations: int = 100,
) -> EloRatings:
    """Maximum-likelihood Elo ratings with 95% intervals.

    Args:
        names: the K players.
        scores: float ``[K, K]``; ``scores[i, j]`` = points ``i`` scored against ``j`` (win 1, draw 0.5).
        games: ``[K, K]`` symmetric; ``games[i, j]`` = games between ``i`` and ``j``.
        anchor: the player rated 0 (default: the ratings average 0).
        prior_draws: virtual draws added to every pair that met (0: plain MLE, infinite for a perfect record).
        max_iterations: Newton steps at most.
    """
    scores = np.asarray(scores, dtype=np.float64)
    games = np.asarray(games, dtype=np.float64)
    k = len(names)
    if scores.shape != (k, k) or games.shape != (k, k):
        raise ValueError(f"scores and games must be [{k}, {k}], got {scores.shape} and {games.shape}")
    if not np.allclose(games, games.T) or not np.allclose(scores + scores.T, games):
        raise ValueError("games must be symmetric and scores[i, j] + scores[j, i] must equal games[i, j]")
    met = games > 0
    fit_games = games + prior_draws * met
    fit_scores = scores + 0.5 * prior_draws * met
    theta = np.zeros(k)
    for _ in range(max_iterations):
        p = 1.0 / (1.0 + np.exp(-(theta[:, None] - theta[None, :])))
        gradient = (fit_scores - fit_games * p).sum(axis=1)
        information = _information(fit_games, p)
        step = np.linalg.pinv(information) @ gradient
        theta = theta + step
        theta -= theta.mean()
        if np.max(np.abs(step)) < 1e-10:
            break
    p = 1.0 / (1.0 + np.exp(-(theta[:, None] - theta[None, :])))
    covariance = np.linalg.pinv(_information(fit_games, p)) * ELO_PER_NAT**2
    ratings = theta * ELO_PER_NAT
    if anchor is not None:
        a = list(names).index(anchor)
        ratings = ratings - ratings[a]
        variance = np.diag(covariance) + covariance[a, a] - 2.0 * covariance[:, a]
    else:
        variance = np.diag(covariance)
    stderr = np.sqrt(np.maximum(variance, 0.0))
    return EloRatings(
        names=tuple(names),
        ratings=ratings,
        stderr=stderr,
        lower=ratings - Z_95 * stderr,
        upper=ratings + Z_95 * stderr,
        games=games.sum(axis=1).astype(np.int64),
        scores=scores.sum(axis=1),
    )


def _information(games: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Fisher information ``[K, K]`` of the logistic model (a weighted graph Laplacian)."""
    weights = games * p * (1.0 - p)
    np.fill_diagonal(weights, 0.0)
    return np.diag(weights.sum(axis=1)) - weights
