"""Batched matches on a Task: the evaluation during training and the gating arena.

Many games are played at once; each player chooses for all games where it is to move in one
call, so a search player sends the leaves of all those games to its evaluator together. A
player is anything with ``choose(states, rng) -> int64 [len(states)]``. Seats rotate from game
to game (game ``g`` puts the player under test in seat ``g % P``), as in the original's arena.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from az_pz.evaluators import Evaluator
from az_pz.search import MCTS, SearchConfig
from az_pz.task import Task

__all__ = ["MatchResult", "Player", "RandomPlayer", "SearchPlayer", "play_match"]


class Player(Protocol):
    def choose(self, states: Sequence[Any], rng: np.random.Generator) -> np.ndarray: ...


class RandomPlayer:
    """Uniformly random among the legal actions."""

    def __init__(self, task: Task) -> None:
        self.task = task

    def choose(self, states: Sequence[Any], rng: np.random.Generator) -> np.ndarray:
        return np.array([rng.choice(np.flatnonzero(self.task.legal_mask(s))) for s in states], np.int64)


class SearchPlayer:
    """MCTS with an evaluator (a network or rollouts), no root noise, the most visited action.

    The searched games change from call to call (only those where this player moves), so trees are
    not reused between moves.
    """

    def __init__(self, task: Task, evaluator: Evaluator, config: SearchConfig, max_games: int) -> None:
        self.task = task
        self.config = config
        self.mcts = MCTS(task, evaluator, config, num_games=max(1, max_games))

    def choose(self, states: Sequence[Any], rng: np.random.Generator) -> np.ndarray:
        self.mcts.reset()
        output = self.mcts.search(list(states), rng, add_noise=False)
        if self.config.gumbel:
            return np.asarray(output.action, np.int64)
        return np.asarray(output.visit_counts, np.int64).argmax(axis=1)


@dataclass(frozen=True)
class MatchResult:
    """Outcome of ``games`` games for the player under test (win: its return beats every other seat's)."""

    games: int
    wins: int
    draws: int
    losses: int
    returns: np.ndarray
    """Return of the player under test in each game ``[games]``."""

    @property
    def win_rate(self) -> float:
        return self.wins / max(self.games, 1)

    @property
    def score(self) -> float:
        """(wins + draws / 2) / games."""
        return (self.wins + 0.5 * self.draws) / max(self.games, 1)

    def as_dict(self) -> dict[str, float]:
        return {"games": self.games, "wins": self.wins, "draws": self.draws, "losses": self.losses,
                "win_rate": self.win_rate, "score": self.score}


def play_match(task: Task, player: Player, opponent: Player, num_games: int, rng: np.random.Generator,
               *, first_seat: int = 0, max_moves: int | None = None) -> MatchResult:
    """Play ``num_games`` games of ``player`` against ``opponent`` (which fills every other seat).

    Game ``g`` seats ``player`` at ``(first_seat + g) % P``. Returns the player's results.
    """
    num_players = task.spec.num_players
    seats = [(first_seat + g) % num_players for g in range(num_games)]
    states = [task.initial_state(int(rng.integers(0, 2**31 - 1))) for _ in range(num_games)]
    totals = np.zeros((num_games, num_players), np.float32)
    moves = np.zeros(num_games, np.int64)
    live = [g for g in range(num_games) if not task.is_terminal(states[g])]
    while live:
        mine = [g for g in live if task.to_play(states[g]) == seats[g]]
        theirs = [g for g in live if task.to_play(states[g]) != seats[g]]
        for who, games in ((player, mine), (opponent, theirs)):
            if not games:
                continue
            actions = who.choose([states[g] for g in games], rng)
            for g, action in zip(games, actions):
                if not task.legal_mask(states[g])[int(action)]:
                    raise RuntimeError(f"{type(who).__name__} chose illegal action {int(action)}")
                states[g], rewards = task.step(states[g], int(action))
                totals[g] += rewards
                moves[g] += 1
        live = [g for g in live if not task.is_terminal(states[g]) and (max_moves is None or moves[g] < max_moves)]
    mine_returns = totals[np.arange(num_games), seats]
    others = totals.copy()
    others[np.arange(num_games), seats] = -np.inf
    best_other = others.max(axis=1) if num_players > 1 else np.zeros(num_games)
    wins = int(np.sum(mine_returns > best_other))
    losses = int(np.sum(mine_returns < best_other))
    return MatchResult(games=num_games, wins=wins, draws=num_games - wins - losses, losses=losses,
                       returns=mine_returns)
