"""Evaluation and gating during training: matches of the learner's network (with search) through
:mod:`az_pz.matches`, seats alternated, seeded by ``(seed, iteration)`` so a resumed run plays the same games.

* :func:`evaluate`: win and loss rates against random play and a rollout MCTS (``eval.*``), every ``eval.every``
  iterations and at the last (:func:`scheduled`), and with more games at the end of training (:func:`final`,
  ``final/*``);
* :func:`gate`: the original's arena, keeping the new network only if it wins at least ``eval.gating_threshold``
  of the decisive games against the best one so far.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from az_pz.matches.players import RandomPlayer, SearchPlayer, rollout_player
from az_pz.matches.runner import play_match
from az_pz.network import AlphaZeroNetwork, NetworkEvaluator

__all__ = ["evaluate", "final", "gate", "scheduled", "search_player"]


def search_player(trainer: Any, network: AlphaZeroNetwork | None = None, games: int = 1) -> SearchPlayer:
    """The learner's network (or ``network``) with the evaluation search (``config.eval_search()``)."""
    evaluator = trainer.evaluator if network is None else NetworkEvaluator(network, trainer.device)
    return SearchPlayer(trainer.task, evaluator, trainer.config.eval_search(), max_games=games)


def gate(trainer: Any) -> dict[str, float]:
    """Play the new network against ``trainer.best_state``; keep the winner as the trainer's network."""
    config = trainer.config.eval
    best = AlphaZeroNetwork(trainer.spec, trainer.config.network).to(trainer.device)
    best.load_state_dict(trainer.best_state)
    rng = np.random.default_rng([trainer.config.seed, trainer.iteration, 2])
    result = play_match(trainer.task, search_player(trainer, games=config.gating_games),
                        search_player(trainer, best, config.gating_games), config.gating_games, rng)
    decisive = result.wins + result.losses
    accepted = decisive > 0 and result.wins / decisive >= config.gating_threshold
    if accepted:
        trainer.best_state = {k: v.detach().clone() for k, v in trainer.network.state_dict().items()}
        trainer.counters["gating_accepted"] += 1
    else:
        trainer.network.load_state_dict(trainer.best_state)
        trainer.counters["gating_rejected"] += 1
    return {"gating/win_rate": result.wins / max(decisive, 1), "gating/accepted": float(accepted)}


def evaluate(trainer: Any, *, games_vs_random: int | None = None, games_vs_rollout: int | None = None,
             rollout_simulations: int | None = None, prefix: str = "eval") -> dict[str, float]:
    """Win rates of the current network with search against random play and a rollout MCTS (seats alternated;
    each None, or 0 simulations: ``eval.games_vs_random``, ``eval.games_vs_rollout``, ``eval.rollout_simulations``),
    as ``PREFIX/win_rate_random``, ``PREFIX/loss_rate_random``, ``PREFIX/win_rate_mcts``, ..."""
    config = trainer.config
    n_random = config.eval.games_vs_random if games_vs_random is None else games_vs_random
    n_rollout = config.eval.games_vs_rollout if games_vs_rollout is None else games_vs_rollout
    rollout_simulations = rollout_simulations or config.eval.rollout_simulations
    rng = np.random.default_rng([config.seed, trainer.iteration, 1])
    out: dict[str, float] = {}
    max_moves = config.eval.max_moves or config.selfplay.max_moves
    if n_random:
        result = play_match(trainer.task, search_player(trainer, games=n_random), RandomPlayer(trainer.task), n_random,
                            rng, max_moves=max_moves)
        out.update({f"{prefix}/win_rate_random": result.win_rate,
                    f"{prefix}/loss_rate_random": result.losses / n_random})
    if n_rollout:
        rollout = rollout_player(trainer.task,
                                 dataclasses.replace(config.search, num_simulations=rollout_simulations, gumbel=False),
                                 np.random.default_rng(rng.integers(2**31)), max_games=n_rollout)
        result = play_match(trainer.task, search_player(trainer, games=n_rollout), rollout, n_rollout, rng,
                            max_moves=max_moves)
        out.update({f"{prefix}/win_rate_mcts": result.win_rate, f"{prefix}/loss_rate_mcts": result.losses / n_rollout,
                    f"{prefix}/mcts_simulations": float(rollout_simulations)})
    return out


def scheduled(trainer: Any, final: bool) -> dict[str, float]:
    """The evaluation of the iteration just completed when ``eval.every`` says it is due, or it is the ``final`` one."""
    every = trainer.config.eval.every
    return trainer.evaluate() if every and (trainer.iteration % every == 0 or final) else {}


def final(trainer: Any) -> dict[str, float]:
    """The end-of-training evaluation (``eval.final_games`` per opponent, ``eval.final_rollout_simulations``),
    as ``final/...``: printed and written to ``RUN/final_eval.json``."""
    config = trainer.config.eval
    metrics = evaluate(trainer, games_vs_random=config.final_games, games_vs_rollout=config.final_games,
                       rollout_simulations=config.final_rollout_simulations, prefix="final")
    trainer._print("final: " + "  ".join(f"{k.split('/')[1]} {v:.3f}" for k, v in metrics.items()))
    trainer.rundir.write_final_eval(trainer.iteration, metrics)
    return metrics
