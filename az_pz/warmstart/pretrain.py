"""Warm starts: learn from recorded games before self-play, or start from another run.

``warm_start(trainer, WarmStart(records=[...], init_from=RUN, replay_from=RUN))`` prepares a new run:
it carries another run's weights and replay buffer, reads and replays the recorded games into the run's
records buffer, trains the network on them for ``epochs`` passes (policy from the moves played, value
from the results), and writes checkpoint ``iter_0000``. Self-play then continues in the same run
(``az-pz train --resume RUN``), drawing ``train.records_fraction`` of each batch from the records while
that share decays (``train.records_decay_iterations``).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from az_pz.config import lr_factor
from az_pz.replay import ReplayBuffer
from az_pz.training import learner
from az_pz.warmstart.carry import init_from, replay_from
from az_pz.warmstart.positions import RecordStats, positions_from_records
from az_pz.warmstart.sources import read_records

__all__ = ["WarmStart", "warm_start"]


@dataclass(frozen=True)
class WarmStart:
    """Where a new run starts from; every part is optional."""

    records: tuple[str, ...] = ()
    """Record files or folders: ``.jsonl`` (any game), ``.pgn`` (chess), ``.sgf`` (go)."""
    init_from: str | None = None
    """A run directory or checkpoint whose network starts this run."""
    replay_from: str | None = None
    """A run directory or checkpoint whose replay buffer starts this run (same game and settings)."""
    epochs: float = 2.0
    """Passes over the recorded positions before self-play; 0 only stores them for mixing."""
    max_games: int | None = None
    """Use at most this many recorded games."""
    holdout: float = 0.05
    """Share of the recorded positions (the last games read) kept out of training to measure the move-prediction
    accuracy and value error that the summary prints."""

    def __post_init__(self) -> None:
        if self.epochs < 0:
            raise ValueError(f"epochs must be >= 0, got {self.epochs}")
        if self.max_games is not None and self.max_games < 1:
            raise ValueError(f"max games must be >= 1, got {self.max_games}")
        if not 0.0 <= self.holdout < 0.5:
            raise ValueError(f"holdout must be in [0, 0.5), got {self.holdout}")


@dataclass
class WarmStartReport:
    """What a warm start did (also written to ``RUN/warm_start.json``)."""

    lines: list[str] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)


def warm_start(trainer, options: WarmStart, *, log: Callable[[str], None] = print) -> WarmStartReport:
    """Prepare ``trainer``'s new run from ``options`` and write its first checkpoint (``iter_0000``)."""
    if trainer.iteration != 0 or trainer.replay.total_added:
        raise ValueError(f"{trainer.run_dir} has already trained; a warm start begins a new run (choose a new --run-dir)")
    report = WarmStartReport()

    def say(text: str) -> None:
        report.lines.append(text)
        log(text)

    if options.init_from:
        carried = init_from(trainer.network, options.init_from, trainer.spec)
        say(carried.summary())
        report.metrics["init_from/carried_tensors"] = len(carried.carried)
    if options.replay_from:
        trainer.replay = replay_from(options.replay_from, trainer.spec, trainer.config.train.replay_capacity)
        say(f"replay-from {options.replay_from}: {len(trainer.replay)} positions")
        report.metrics["replay_from/positions"] = len(trainer.replay)
    if options.records:
        holdout = _load_records(trainer, options, say, report)
        if options.epochs and trainer.records is not None:
            report.metrics.update(_pretrain(trainer, options, holdout, say))
    trainer.save()
    from az_pz.atomic_files import atomic_write_json

    atomic_write_json(Path(trainer.run_dir) / "warm_start.json",
                      {"options": {"records": list(options.records), "init_from": options.init_from,
                                   "replay_from": options.replay_from, "epochs": options.epochs,
                                   "max_games": options.max_games},
                       "summary": report.lines, "metrics": report.metrics})
    return report


def _load_records(trainer, options: WarmStart, say, report: WarmStartReport) -> list:
    """Fill ``trainer.records``; returns the held-out positions."""
    stats = RecordStats()
    start = time.perf_counter()
    positions = list(positions_from_records(trainer.task, read_records(options.records), stats,
                                            symmetries=trainer.config.selfplay.symmetry_augmentation,
                                            max_games=options.max_games))
    say(stats.summary() + f" ({time.perf_counter() - start:.1f}s)")
    report.metrics.update({"records/games": stats.games, "records/used": stats.used,
                           "records/skipped": stats.games - stats.used, "records/positions": stats.positions,
                           "records/samples": len(positions)})
    if not positions:
        say("no usable recorded positions: the run starts from self-play alone")
        return []
    held = int(len(positions) * options.holdout) if len(positions) >= 200 else 0
    train, test = positions[: len(positions) - held], positions[len(positions) - held:]
    buffer = ReplayBuffer(trainer.spec, max(len(train), trainer.config.train.batch_size))
    for position in train:
        buffer.add(*position)
    trainer.records = buffer
    return test


def _pretrain(trainer, options: WarmStart, holdout: list, say) -> dict[str, float]:
    """Supervised passes over the records buffer (cosine learning rate within the passes)."""
    config = trainer.config.train
    records = trainer.records
    steps = max(1, math.ceil(options.epochs * len(records) / config.batch_size))
    start = time.perf_counter()
    totals, counted = np.zeros(3), 0
    every = max(1, steps // 10)
    with learner.training_threads(trainer.config):
        for done in range(1, steps + 1):
            lr = config.learning_rate * lr_factor("cosine", (done - 1) / steps, done - 1, config.warmup_steps,
                                                  config.min_lr_fraction)
            totals += learner.step(trainer, records.sample(config.batch_size, trainer.rng), lr)
            counted += 1
            if done % every == 0 or done == steps:
                policy, value, _ = totals / counted
                say(f"pretrain step {done}/{steps}: loss policy {policy:.3f} value {value:.3f} lr {lr:.2e}")
                totals, counted = np.zeros(3), 0
    metrics = {"pretrain/steps": float(steps), "pretrain/seconds": time.perf_counter() - start}
    metrics.update(_holdout_metrics(trainer, holdout))
    if "pretrain/holdout_move_accuracy" in metrics:
        say(f"held-out positions: the network's top move is the recorded one in "
            f"{metrics['pretrain/holdout_move_accuracy']:.1%}; value MSE {metrics['pretrain/holdout_value_mse']:.3f}")
    return metrics


def _holdout_metrics(trainer, positions) -> dict[str, float]:
    """Move-prediction accuracy and value error of the network on held-out positions (batched eval-mode
    forwards through the trainer's evaluator, phase by phase)."""
    if not positions:
        return {}
    hits = 0
    squared = 0.0
    for phase in sorted({p[1] for p in positions}):
        rows = [p for p in positions if p[1] == phase]
        for start in range(0, len(rows), 256):
            chunk = rows[start:start + 256]
            logits, values = trainer.evaluator.forward(np.stack([p[0] for p in chunk]), phase)
            masks = np.stack([p[4] for p in chunk])
            targets = np.stack([p[2] for p in chunk])
            hits += int((np.where(masks, logits, -np.inf).argmax(1) == targets.argmax(1)).sum())
            squared += float(((values - np.stack([p[3] for p in chunk])) ** 2).mean(axis=1).sum())
    return {"pretrain/holdout_move_accuracy": hits / len(positions),
            "pretrain/holdout_value_mse": squared / len(positions),
            "pretrain/holdout_positions": float(len(positions))}


