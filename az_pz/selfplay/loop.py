"""Self-play: many games played together through one batched MCTS.

``SelfPlay.play(num_games, rng)`` runs up to ``concurrent_games`` games at once; every move,
the roots of all running games are searched together (the leaves of all trees go to the
evaluator in one batch). Per move it applies:

* the temperature schedule (the original's ``tempThreshold``): the first ``temperature_moves``
  moves of a game are sampled in proportion to visit counts, later ones take the most visited
  action (with a Gumbel root, the search's own sampled action is played);
* tree reuse: the chosen child's subtree becomes the next root (``MCTS.advance``);
* playout-cap randomization (KataGo, Wu 2019): a move is a *full* search (recorded for
  training, with root noise) with probability ``full_search_prob``, else a fast one that is
  played but not recorded; the draw is made once per batched move;
* resignation (two-player games): the mover resigns when its root value falls below the
  threshold, except in a ``resign_playout_fraction`` of games that are played out to measure
  the false-positive rate (AlphaGo Zero); the threshold is lowered when that rate is too high.

Value targets are the sum of rewards from the recorded position to the end of the game, per
seat, rotated to the mover's frame and clipped to ``[-1, 1]`` (the network's tanh range); with ``discount``
below 1 each reward counts ``discount ** plies`` from the position it is seen from, so a faster win is worth
more than a slower one and a longer defence more than a quick loss; with
``value_target_mix`` they are blended with the search's root value (exact where the solver proved the
root). ``opening_random_plies`` starts each game from a uniformly random number (up to that many) of
uniformly random moves, so that self-play sees varied positions rather than its own few openings
(``opening_random_share`` of the games; the others start from the initial state). A game
cut at ``max_moves`` ends there; with ``adjudicate_capped`` its end adds ``task.adjudicate(state)``,
the task's estimate of the returns still to come (e.g. chess material), to every target.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from az_pz.config import SelfPlayConfig
from az_pz.evaluators import Evaluator
from az_pz.search import MCTS, SearchConfig
from az_pz.selfplay.stats import Position, ResignState, SelfPlayStats
from az_pz.task import Task, rotate_to_player

__all__ = ["SelfPlay", "augment", "choose_actions"]


@dataclass
class _Game:
    state: Any
    opening: np.ndarray
    """Rewards per seat of the random opening ``[P]`` (zeros without one)."""
    moves: int = 0
    records: list[tuple[np.ndarray, int, np.ndarray, np.ndarray, int, int, np.ndarray]] = field(
        default_factory=list)
    """(observation, phase, policy, mask, mover, ply, root values [P]) per recorded move; ``ply`` indexes
    ``rewards``."""
    rewards: list[np.ndarray] = field(default_factory=list)
    """Rewards per seat of each ply played after the random opening; a resignation adds one last entry."""
    would_resign: int | None = None
    """Seat that would have resigned in a game played out to check the threshold."""
    actions: list[int] = field(default_factory=list)
    """Every action played, in order (kept for game records)."""

    @property
    def total(self) -> np.ndarray:
        """Sum of rewards per seat so far ``[P]``, the opening's included."""
        return sum(self.rewards, self.opening)


def augment(task: Task, observation: np.ndarray, policy: np.ndarray, mask: np.ndarray, phase: int,
            enabled: bool = True) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """The position and its symmetric copies ``(observation, policy, mask)``, where the task offers
    ``symmetries`` and ``enabled``; self-play and recorded games augment their positions alike."""
    if not enabled or not hasattr(task, "symmetries"):
        return [(observation, policy, mask)]
    pairs = task.symmetries(observation, policy, phase)
    mask_pairs = task.symmetries(observation, mask.astype(np.float32), phase)
    return [(np.asarray(o, np.float32), np.asarray(p, np.float32), np.asarray(m, np.float32) > 0.5)
            for (o, p), (_, m) in zip(pairs, mask_pairs)]


def choose_actions(visit_counts: np.ndarray, temperature: np.ndarray, rng: np.random.Generator,
                   fallback: np.ndarray | None = None) -> np.ndarray:
    """Actions from root visit counts ``[B, A]``: sampled with ``N^(1/T)`` where ``temperature[b] > 0``,
    else the most visited (ties broken at random). Returns int64 ``[B]``. A root without visits (a root
    MCTS-Solver decided before visiting it) takes ``fallback[b]``, the search's own choice."""
    actions = np.empty(len(visit_counts), np.int64)
    for b, counts in enumerate(visit_counts.astype(np.float64)):
        t = float(temperature[b])
        if fallback is not None and counts.sum() == 0:
            actions[b] = fallback[b]
        elif t > 0 and counts.sum() > 0:
            weights = counts ** (1.0 / t)
            actions[b] = rng.choice(len(counts), p=weights / weights.sum())
        else:
            best = np.flatnonzero(counts == counts.max())
            actions[b] = best[0] if len(best) == 1 else rng.choice(best)
    return actions


def discounted_returns(rewards: list[np.ndarray], discount: float, num_players: int) -> np.ndarray:
    """``[T + 1, P]``: row ``t`` is the return per seat from ply ``t`` on, ``sum_k discount**(k - t) * rewards[k]``
    (row ``T``, after the last ply, is 0)."""
    returns = np.zeros((len(rewards) + 1, num_players), np.float32)
    for t in range(len(rewards) - 1, -1, -1):
        returns[t] = rewards[t] + discount * returns[t + 1]
    return returns


def _opening_plies(config: SelfPlayConfig, rng: np.random.Generator) -> int:
    """Random plies a new game opens with: none outside the ``opening_random_share`` of games, else uniform in
    ``0..opening_random_plies`` (with a share of 1 the stream of draws is the one it always was)."""
    if not config.opening_random_plies:
        return 0
    if config.opening_random_share < 1.0 and rng.random() >= config.opening_random_share:
        return 0
    return int(rng.integers(0, config.opening_random_plies + 1))


class SelfPlay(ResignState):
    """Plays self-play games in batches; keeps the resignation threshold and its statistics.

    Also the ``inline`` backend (:mod:`az_pz.selfplay.backends`): it plays in the training process, through
    the trainer's own evaluator, so the network it is given is already the one it searches with.
    """

    def __init__(self, task: Task, evaluator: Evaluator, search: SearchConfig, config: SelfPlayConfig) -> None:
        self.task = task
        self.evaluator = evaluator
        self.search_config = search
        self.config = config
        self.mcts = MCTS(task, evaluator, search, num_games=config.concurrent_games)
        self._init_resign(config.resign_threshold)
        self._symmetric = config.symmetry_augmentation and hasattr(task, "symmetries")
        if config.adjudicate_capped and not callable(getattr(task, "adjudicate", None)):
            raise ValueError(f"selfplay.adjudicate_capped is on but task {task.spec.name!r} has no adjudicate(state) "
                             f"method; turn it off (--selfplay.adjudicate-capped false) or give the task one "
                             f"(see az_pz.task: optional extras)")

    # ------------------------------------------------------------------ playing

    def play(self, num_games: int, rng: np.random.Generator,
             on_game: Callable[[int], None] | None = None) -> tuple[list[Position], SelfPlayStats]:
        """Play ``num_games`` complete games; return their training positions and counters.

        ``on_game(k)`` is called after each finished game (progress bars).
        """
        task, config = self.task, self.config
        stats = SelfPlayStats()
        start = time.perf_counter()
        positions: list[Position] = []
        self.mcts.reset()
        evaluations, hits = self.mcts.evaluations, self.mcts.cache_hits
        games = [self._new_game(rng) for _ in range(min(num_games, config.concurrent_games))]
        started = len(games)
        while games:
            full = config.full_search_prob >= 1.0 or rng.random() < config.full_search_prob
            simulations = self.search_config.num_simulations if full else config.fast_simulations
            output = self.mcts.search([g.state for g in games], rng, add_noise=full, num_simulations=simulations)
            stats.simulations += simulations * len(games)
            temperature = np.array([1.0 if g.moves < config.temperature_moves else 0.0 for g in games])
            if self.search_config.gumbel:
                actions = output.action
            else:
                actions = choose_actions(output.visit_counts, temperature, rng, fallback=output.action)
            finished: list[int] = []
            for i, game in enumerate(games):
                if full:
                    self._record(game, output.policy[i], output.root_values[i])
                if self._resigns(game, output.root_values[i], rng):
                    stats.resignations += 1
                    finished.append(i)
                    continue
                action = int(actions[i])
                game.state, rewards = task.step(game.state, action)
                game.rewards.append(np.asarray(rewards, np.float32))
                game.actions.append(action)
                game.moves += 1
                stats.moves += 1
                ended = task.is_terminal(game.state)
                if not ended and config.max_moves is not None and game.moves >= config.max_moves:
                    ended = True
                    if config.adjudicate_capped:
                        game.rewards[-1] = game.rewards[-1] + np.asarray(task.adjudicate(game.state), np.float32)
                        stats.adjudicated += 1
                if ended:
                    finished.append(i)
                else:
                    self.mcts.advance(i, action)
            for i in sorted(finished, reverse=True):
                positions.extend(self._finish(games[i], stats))
                if on_game is not None:
                    on_game(stats.games)
                if started < num_games:
                    games[i] = self._new_game(rng)
                    started += 1
                    self.mcts.reset(i)
                else:
                    # Keep the running games at indices 0..k-1 (the search's contract): the last one moves
                    # into the freed slot and starts a fresh tree there.
                    last = len(games) - 1
                    if i != last:
                        games[i] = games[last]
                        self.mcts.reset(i)
                    games.pop()
                    self.mcts.reset(last)
        self._adjust_resign_threshold()
        stats.evaluations = self.mcts.evaluations - evaluations
        stats.cache_hits = self.mcts.cache_hits - hits
        stats.seconds = time.perf_counter() - start
        stats.resign_playouts = self.resign_playouts
        stats.resign_false_positives = self.resign_false_positives
        return positions, stats

    def _new_game(self, rng: np.random.Generator) -> _Game:
        seed = int(rng.integers(0, 2**31 - 1))
        task = self.task
        state = task.initial_state(seed)
        total = np.zeros(task.spec.num_players, np.float32)
        plies = _opening_plies(self.config, rng)
        for _ in range(plies):  # a random opening: not searched, not recorded, its rewards counted
            child, rewards = task.step(state, int(rng.choice(np.flatnonzero(task.legal_mask(state)))))
            if task.is_terminal(child):
                break  # keep the last live position: the game is played from there
            state, total = child, total + rewards
        return _Game(state=state, opening=total)

    def _record(self, game: _Game, policy: np.ndarray, root_values: np.ndarray) -> None:
        task = self.task
        phase = task.phase(game.state)
        actions = task.spec.phases[phase].num_actions
        mask = np.asarray(task.legal_mask(game.state), bool)
        game.records.append((np.asarray(task.observe(game.state), np.float32), phase,
                             np.asarray(policy[:actions], np.float32), mask, task.to_play(game.state),
                             len(game.rewards), np.asarray(root_values, np.float32).copy()))

    def _resigns(self, game: _Game, root_values: np.ndarray, rng: np.random.Generator) -> bool:
        """True when the mover resigns now; may instead mark the game for a checking play-out."""
        threshold = self.resign_threshold
        if (threshold is None or self.task.spec.num_players != 2 or game.would_resign is not None
                or game.moves < self.config.resign_min_moves):
            return False
        mover = self.task.to_play(game.state)
        if root_values[mover] >= threshold:
            return False
        if rng.random() < self.config.resign_playout_fraction:
            game.would_resign = mover
            return False
        resignation = np.zeros_like(game.opening)
        resignation[mover], resignation[1 - mover] = -1.0, 1.0
        game.rewards.append(resignation)
        return True

    def _finish(self, game: _Game, stats: SelfPlayStats) -> list[Position]:
        stats.games += 1
        total = game.total
        stats.returns.append(total.copy())
        stats.game_actions.append(game.actions)
        if game.would_resign is not None:
            self.resign_playouts += 1
            seat = game.would_resign
            if total[seat] >= total[1 - seat]:
                self.resign_false_positives += 1
        out: list[Position] = []
        mix = self.config.value_target_mix
        returns = discounted_returns(game.rewards, self.config.discount, self.task.spec.num_players)
        for observation, phase, policy, mask, mover, ply, searched in game.records:
            result = returns[ply]
            if mix:
                result = (1.0 - mix) * result + mix * searched
            value = np.clip(rotate_to_player(result, mover), -1.0, 1.0).astype(np.float32)
            stats.positions += 1
            for obs, pol, msk in self._augment(observation, policy, mask, phase):
                out.append((obs, phase, pol, value, msk))
        stats.samples += len(out)
        return out

    def _augment(self, observation: np.ndarray, policy: np.ndarray, mask: np.ndarray, phase: int):
        return augment(self.task, observation, policy, mask, phase, self._symmetric)

    def _adjust_resign_threshold(self) -> None:
        self._lower_resign_threshold(self.config.resign_target_false_positive_rate)

    def close(self) -> None:
        """Nothing to stop (the backend interface: worker backends stop their workers here)."""
