"""Matches: one runner, one player protocol, and the ratings they feed.

* :mod:`~az_pz.matches.players` — the ``Player`` protocol (``choose(states, rng)``) on Task states,
  ``RandomPlayer`` and ``SearchPlayer``, the one search player that training's evaluation,
  ``AlphaZeroAgent`` and the rollout baseline (``MCTSAgent``) share;
* :mod:`~az_pz.matches.runner` — the one match runner: :func:`play_match` (batched games on a Task between
  players) and :func:`play_game` (one game between agents on a live PettingZoo env);
* :mod:`~az_pz.matches.tournament` — agents by spec: :func:`evaluate`, :func:`round_robin`, :func:`play_pairings`;
* :mod:`~az_pz.matches.results` — game records, W/D/L counts, the round-robin table and its files;
* :mod:`~az_pz.matches.elo` — the Elo fit with 95% intervals.

``az_pz.arena`` and ``az_pz.elo`` are the former names of these modules (deprecated aliases).
"""

from __future__ import annotations

from az_pz.matches.elo import EloRatings, expected_score, fit_elo
from az_pz.matches.players import Player, RandomPlayer, SearchPlayer, rollout_player
from az_pz.matches.results import ArenaResult, EvalResult, GameRecord, MatchResult, load_result, tabulate
from az_pz.matches.runner import play_game, play_match, random_opening
from az_pz.matches.tournament import evaluate, play_pairings, round_robin, unique_names

__all__ = [
    "ArenaResult", "EloRatings", "EvalResult", "GameRecord", "MatchResult", "Player", "RandomPlayer", "SearchPlayer",
    "evaluate", "expected_score", "fit_elo", "load_result", "play_game", "play_match", "play_pairings",
    "random_opening", "rollout_player", "round_robin", "tabulate", "unique_names",
]
