"""The training loop: self-play -> replay buffer -> AdamW steps -> evaluation -> checkpoint.

``Trainer(config).learn()`` runs ``config.train.iterations`` iterations; each one

1. plays ``selfplay.games_per_iteration`` games with the current network (batched MCTS);
2. adds their positions (and symmetric copies) to the replay buffer;
3. takes ``ceil(sample_reuse * new_positions / batch_size)`` AdamW steps on
   policy cross-entropy + ``value_loss_weight`` x value MSE (AlphaZero's loss; the L2 term is
   AdamW's decoupled weight decay), in bf16 autocast on CUDA;
4. optionally gates the new network against the best one (the original's arena);
5. evaluates against a random player and a rollout-MCTS baseline every ``eval.every`` iterations, and takes
   its callbacks' own measurements (``on_evaluation``: the perfect-play yardstick);
6. reports through its callbacks (``metrics.jsonl``, TensorBoard, the console line) and writes a checkpoint.

``Trainer.resume(run_dir)`` restores everything a checkpoint holds (iteration, replay buffer,
optimizer, learning-rate schedule counters, RNG states) and continues the same run.
"""

from __future__ import annotations

import random
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from az_pz import schedule
from az_pz._memory import trim_heap
from az_pz.config import RunConfig, replace_nested
from az_pz.games import make_task
from az_pz.network import resolve_device
from az_pz.selfplay import SelfPlayBackend, make_backend
from az_pz.task import Task
from az_pz.training import evaluation, learner, resume
from az_pz.training.callbacks import Callback, console, default_callbacks, game_bar, summary_line
from az_pz.training.learner import Learner
from az_pz.training.run_directory import RunDirectory

__all__ = ["Trainer"]


def _seed(seed: int) -> np.random.Generator:
    """Seed Python's, NumPy's and torch's generators; the run's own generator (saved with checkpoints)."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    return np.random.default_rng(seed)


def _stop_reason(last_by_clock: bool, iteration: int, seconds: float, limit: float | None) -> str | None:
    """Why a time-limited run ends before its next iteration (None: it goes on)."""
    if limit is not None and (last_by_clock or seconds >= limit):
        return f"time limit of {limit:.0f}s reached after {iteration} iterations ({seconds:.0f}s)"
    return None


def _recent_seconds(history: list[dict[str, Any]], count: int = 2) -> list[float]:
    """The wall times of the last ``count`` iterations logged (the pace the clock and the schedule's plan go by)."""
    return [m["time/iteration_s"] for m in history[-count:] if "time/iteration_s" in m]


class _Part:
    """A trainer attribute that lives on one of its parts (the learner, the run directory), read and set there."""

    def __init__(self, part: str, name: str | None = None) -> None:
        self.part, self.name = part, name

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = self.name or name

    def __get__(self, trainer: Any, owner: type | None = None) -> Any:
        return self if trainer is None else getattr(getattr(trainer, self.part), self.name)

    def __set__(self, trainer: Any, value: Any) -> None:
        setattr(getattr(trainer, self.part), self.name, value)


class Trainer:
    """The training loop of one run directory: self-play through its backend, steps through its
    :class:`~az_pz.training.learner.Learner`, reads and writes through its
    :class:`~az_pz.training.run_directory.RunDirectory`, reports through its callbacks."""

    network, optimizer, evaluator, replay, records, best_state, plan = (_Part("learner") for _ in range(7))
    run_dir = _Part("rundir", "path")

    def __init__(self, config: RunConfig, *, run_dir: str | Path | None = None, task: Task | None = None,
                 device: str | None = None, progress: bool = True, tensorboard: bool = True,
                 ray: Any = None, callbacks: Sequence[Callback] = (), _resuming: bool = False) -> None:
        self.config, self.progress = config, progress
        self.task = task if task is not None else make_task(config.game, **config.env_kwargs)
        self.spec = self.task.spec
        self.device = resolve_device(device or config.device)
        self.rundir = RunDirectory(run_dir or Path("runs") / f"{self.spec.name}-{time.strftime('%Y%m%d-%H%M%S')}",
                                   new=not _resuming)
        if config.num_threads and self.device.type == "cpu":
            torch.set_num_threads(config.num_threads)
        self.rng = _seed(config.seed)
        self.learner = Learner(self.spec, config, self.device)
        if config.train.random_symmetry:
            self._print(self.learner.draw_symmetries_of(self.task))
        if config.selfplay.precision != "auto":
            self._print(f"self-play precision: {self.learner.precision.name} ({self.learner.precision.reason})")
        if config.train.precision != "auto":
            chosen = self.learner.train_precision
            self._print(f"training precision: {chosen.name} ({chosen.reason})")
        self.selfplay: SelfPlayBackend = None  # type: ignore[assignment]  # built once the run directory exists
        """The self-play backend (``selfplay.backend``): plays with the current network, holds the resignation
        state saved with checkpoints (:mod:`az_pz.selfplay.backends`)."""
        self.iteration = 0
        """Iterations completed."""
        self.counters: dict[str, float] = {"train_steps": 0, "games": 0, "positions": 0, "seconds": 0.0,
                                           "gating_accepted": 0, "gating_rejected": 0}
        self._saving_seconds, self._last_by_clock = 0.0, False
        """Seconds of the last checkpoint write, not yet in ``counters["seconds"]`` (the next iteration adds them)."""
        self.history: list[dict[str, Any]] = []
        self.callbacks: list[Callback] = [*default_callbacks(tensorboard=tensorboard), *callbacks]
        _warn_unmeasured_yardstick(config, self.callbacks)
        """metrics.jsonl, TensorBoard, the console line, then the user's (:mod:`az_pz.training.callbacks`)."""
        self.rundir.open(config, self.spec)  # one writer per run, for the trainer's lifetime
        try:
            self.selfplay = make_backend(config, self.task, self.network, self.evaluator, self.run_dir, ray=ray,
                                         progress=progress)
        except BaseException:
            self.rundir.release()
            raise

    @classmethod
    def resume(cls, run_dir: str | Path, *, config: RunConfig | None = None, task: Task | None = None,
               device: str | None = None, progress: bool = True, tensorboard: bool = True,
               checkpoint: str | None = None, fork_to: str | Path | None = None, ray: Any = None,
               callbacks: Sequence[Callback] = (), **overrides: Any) -> "Trainer":
        """Continue the run in ``run_dir`` from its latest checkpoint (or from scratch if it has none).

        ``overrides`` (as in :func:`az_pz.config.replace_nested`) may extend the run, e.g.
        ``train__iterations=50``, or ``config`` replaces the stored config; the game and network cannot change.

        ``checkpoint`` (``"iter_0040"``) resumes from an earlier checkpoint: the run forks into ``fork_to``
        (default ``RUN_DIR-from-iter_0040``), a new run directory holding a copy of that checkpoint, and
        ``run_dir`` is left untouched, its later checkpoints included. A missing or damaged
        ``checkpoints/latest`` falls back to the newest checkpoint that verifies (see :mod:`az_pz.rundir`).
        """
        run_dir, task, stored, config, task_json = resume.prepare(Path(run_dir), config, task, checkpoint,
                                                                  fork_to, overrides)
        trainer = cls(config, run_dir=run_dir, task=task, device=device, progress=progress,
                      tensorboard=tensorboard, ray=ray, callbacks=callbacks, _resuming=True)
        resume.restore(trainer, task_json, stored)
        return trainer

    def learn(self, iterations: int | None = None) -> list[dict[str, Any]]:
        """Run until ``iterations`` (default ``train.iterations``) are complete or the time limit is hit."""
        target = self.config.train.iterations if iterations is None else iterations
        try:
            while self.iteration < target:
                reason = _stop_reason(self._last_by_clock, self.iteration,
                                      self.counters["seconds"] + self._saving_seconds, self.config.train.time_limit_s)
                if reason:
                    self._print(reason)
                    break
                self.run_iteration(target)
        finally:
            self.close()
        return self.history

    def run_iteration(self, target: int | None = None) -> dict[str, Any]:
        """One iteration: self-play, training, gating, evaluation, logging, checkpoint."""
        config, target = self.config, target or self.config.train.iterations
        # The time limit is wall time: the last checkpoint write counts, within this iteration's time.
        start, self._saving_seconds = time.perf_counter() - self._saving_seconds, 0.0
        metrics: dict[str, Any] = {"iteration": self.iteration + 1, **learner.random_play(self)}
        games = config.selfplay.games_per_iteration
        with game_bar(self.progress, games, f"iter {self.iteration + 1} self-play") as on_game:
            positions, stats = self.selfplay.play(games, self.rng, on_game=on_game)
        self.learner.add(positions)
        metrics.update(stats.metrics())
        self.rundir.record_selfplay(self.task, config, stats, self.iteration + 1)
        metrics.update(learner.train(self, len(positions)))
        if config.eval.gating:
            metrics.update(evaluation.gate(self))
        self.iteration += 1
        recent = _recent_seconds(self.history)
        spent = time.perf_counter() - start
        self._last_by_clock = schedule.is_last(self.plan, self.iteration, self.counters["seconds"] + spent,
                                               sum(recent) / len(recent) if recent else spent)
        final = self.iteration >= target or self._last_by_clock
        metrics.update(evaluation.scheduled(self, final))
        for callback in self.callbacks:  # measurements of callbacks (the yardstick), within the iteration's time
            metrics.update(callback.on_evaluation(self, final))
        self.counters["games"] += stats.games
        self.counters["positions"] += stats.positions
        self.counters["seconds"] += time.perf_counter() - start
        metrics["time/iteration_s"] = time.perf_counter() - start
        metrics["time/total_s"] = self.counters["seconds"]
        self._log(metrics)
        note = schedule.update_plan(self.plan, self.iteration, _recent_seconds(self.history, schedule.PACE_ITERATIONS),
                                    self.counters["seconds"])
        if note:
            self._print(note)
        if self.iteration % config.train.checkpoint_every == 0 or final:
            saving = time.perf_counter()
            self.save()
            self._saving_seconds = time.perf_counter() - saving
        trim_heap()  # the iteration's freed buffers back to the OS: flat resident memory over long runs
        return metrics

    train_step = learner.train_step  # one AdamW step on a batch grouped by phase (bench and tests call it)
    evaluate = evaluation.evaluate  # win rates against random play and a rollout MCTS, seats alternated
    final_evaluation = evaluation.final  # the end-of-training evaluation, logged as final/...

    def save(self) -> Path:
        """Write a checkpoint of the current iteration (atomic; ``latest`` updated last)."""
        return self.rundir.save_checkpoint(self.iteration, self.learner.checkpoint_files(), resume.state(self),
                                           self.config)

    def _log(self, metrics: dict[str, Any]) -> None:
        self.history.append(metrics)
        for callback in self.callbacks:
            callback.on_iteration_end(self, metrics)

    def use_selfplay(self, backend: str, workers: int, *, ray: Any = None) -> None:
        """Switch self-play to ``backend`` with ``workers`` (``selfplay.backend`` / ``selfplay.workers``), keeping
        the resignation state; the choice is saved with the run. ``ray``: a
        :class:`~az_pz.distributed.DistributedConfig` for the ``ray`` backend."""
        config = replace_nested(self.config, selfplay__backend=backend, selfplay__workers=workers)
        new = make_backend(config, self.task, self.network, self.evaluator, self.run_dir, ray=ray,
                           progress=self.progress)
        new.load_state_dict(self.selfplay.state_dict())
        self.selfplay.close()
        self.selfplay, self.config = new, config
        self.rundir.write_config(config, self.spec)

    def close(self) -> None:
        """Stop self-play workers, close TensorBoard, release the run's lock (the trainer writes no more)."""
        if getattr(self, "selfplay", None) is not None:
            self.selfplay.close()
        for callback in getattr(self, "callbacks", ()):
            callback.on_train_end(self)
        if getattr(self, "rundir", None) is not None:
            self.rundir.release()

    def _print(self, text: str) -> None:
        console(self.progress, text)


def _warn_unmeasured_yardstick(config: RunConfig, callbacks: Sequence[Callback]) -> None:
    """The yardstick is a callback the caller passes (the trainer imports nothing above it): say so where the
    config asks for its figures and none was passed, rather than log nothing."""
    if (config.eval.yardstick_every or config.eval.yardstick_search_every) and not any(
            getattr(c, "measures_yardstick", False) for c in callbacks):
        warnings.warn("eval.yardstick_every / yardstick_search_every are set, but no callback measures them: pass "
                      "callbacks=az_pz.yardstick.training.yardstick_callbacks(config) to Trainer (az-pz train does)",
                      stacklevel=3)


_summary_line = summary_line  # its former home
_say = resume.say
