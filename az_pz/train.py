"""The training loop: self-play -> replay buffer -> AdamW steps -> evaluation -> checkpoint.

``Trainer(config).learn()`` runs ``config.train.iterations`` iterations; each one

1. plays ``selfplay.games_per_iteration`` games with the current network (batched MCTS);
2. adds their positions (and symmetric copies) to the replay buffer;
3. takes ``ceil(sample_reuse * new_positions / batch_size)`` AdamW steps on
   policy cross-entropy + ``value_loss_weight`` x value MSE (AlphaZero's loss; the L2 term is
   AdamW's decoupled weight decay), in bf16 autocast on CUDA;
4. optionally gates the new network against the best one (the original's arena);
5. evaluates against a random player and a rollout-MCTS baseline every ``eval.every`` iterations;
6. logs ``metrics.jsonl`` and TensorBoard and writes a checkpoint.

``Trainer.resume(run_dir)`` restores everything a checkpoint holds (iteration, replay buffer,
optimizer, learning-rate schedule counters, RNG states) and continues the same run.
"""

from __future__ import annotations

import random
import time
from pathlib import Path
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from az_pz import checkpoint as ckpt
from az_pz import rundir, schedule
from az_pz._memory import trim_heap
from az_pz.config import RunConfig, replace_nested
from az_pz.games import make_task
from az_pz.network import AlphaZeroNetwork, NetworkEvaluator, resolve_device
from az_pz.replay import PhaseBatch, ReplayBuffer
from az_pz.selfplay import SelfPlayBackend, make_backend
from az_pz.task import Task
from az_pz.training import evaluation, learner
from az_pz.training.callbacks import Callback, MetricsLog, default_callbacks, on_terminal, summary_line

__all__ = ["Trainer"]


def _task_of_stored_run(run_dir: Path, config: RunConfig) -> Task:
    """The task of a run's ``config.json`` (game never imported, see :func:`az_pz.games.task_from_file`),
    with its network and replay buffer checked against :mod:`az_pz.bounds` before anything is allocated."""
    from az_pz.bounds import check_network_size, check_replay_size
    from az_pz.games import task_from_file

    source = str(run_dir / "config.json")
    try:
        task = task_from_file(config.game, config.env_kwargs, source)
        check_network_size(task.spec, config.network, source)
        check_replay_size(task.spec, config.train.replay_capacity, source)
    except ValueError as error:
        raise ckpt.CheckpointError(str(error)) from None
    return task


class Trainer:
    """Owns the network, optimizer, replay buffer and self-play of one run directory."""

    def __init__(self, config: RunConfig, *, run_dir: str | Path | None = None, task: Task | None = None,
                 device: str | None = None, progress: bool = True, tensorboard: bool = True,
                 ray: Any = None, callbacks: Sequence[Callback] = (), _resuming: bool = False) -> None:
        self.config = config
        self.task = task if task is not None else make_task(config.game, **config.env_kwargs)
        self.spec = self.task.spec
        self.device = resolve_device(device or config.device)
        self.progress = progress
        self.run_dir = Path(run_dir) if run_dir else Path("runs") / f"{self.spec.name}-{time.strftime('%Y%m%d-%H%M%S')}"
        if not _resuming:  # a new run: a missing or empty directory only; refused before anything is written
            rundir.check_new_run_dir(self.run_dir)
        if config.num_threads and self.device.type == "cpu":
            torch.set_num_threads(config.num_threads)
        self.rng = np.random.default_rng(config.seed)
        random.seed(config.seed)
        np.random.seed(config.seed % 2**32)
        torch.manual_seed(config.seed)
        self.network = AlphaZeroNetwork(self.spec, config.network).to(self.device)
        self.optimizer = torch.optim.AdamW(self.network.parameters(), lr=config.train.learning_rate,
                                           weight_decay=config.train.weight_decay)
        self.replay = ReplayBuffer(self.spec, config.train.replay_capacity)
        self._selfplay_recorder = None
        self.records: ReplayBuffer | None = None
        """Positions from recorded games (``az_pz.warmstart``), mixed into batches at ``train.records_fraction``."""
        self.evaluator = NetworkEvaluator(self.network, self.device)
        self._ray = ray
        self.selfplay: SelfPlayBackend = None  # type: ignore[assignment]  # built once the run directory exists
        """The self-play backend (``selfplay.backend``): plays with the current network, holds the resignation
        state saved with checkpoints (:mod:`az_pz.selfplay.backends`)."""
        from az_pz.yardstick.training import TrainingYardstick

        self._yardstick = TrainingYardstick.for_run(config)
        """Perfect-play figures every ``eval.yardstick_every`` iterations (connect four), or None."""
        self.iteration = 0
        """Iterations completed."""
        self.counters: dict[str, float] = {"train_steps": 0, "games": 0, "positions": 0, "seconds": 0.0,
                                           "gating_accepted": 0, "gating_rejected": 0}
        self.plan = schedule.new_plan(config.train)
        """The planned length the learning-rate schedule spans (az_pz.schedule), stored in state.json."""
        self._saving_seconds = 0.0
        """Seconds of the last checkpoint write, not yet in ``counters["seconds"]`` (the next iteration adds them)."""
        self.best_state: dict[str, torch.Tensor] | None = None
        self.history: list[dict[str, Any]] = []
        self.callbacks: list[Callback] = [*default_callbacks(tensorboard=tensorboard), *callbacks]
        """Called after every iteration (``on_iteration_end(trainer, metrics)``): metrics.jsonl, TensorBoard,
        the console line, then the user's (:mod:`az_pz.training.callbacks`)."""
        self._lock: rundir.RunLock | None = None
        if not _resuming:
            self.run_dir.mkdir(parents=True, exist_ok=True)
        self._lock = rundir.RunLock(self.run_dir)  # one writer per run, for the trainer's lifetime
        if not _resuming:
            ckpt.write_run_config(self.run_dir, config, self.spec)
        try:
            self.selfplay = make_backend(config, self.task, self.network, self.evaluator, self.run_dir, ray=ray,
                                         progress=progress)
        except BaseException:
            self._lock.release()
            raise
        if config.eval.gating:
            self.best_state = {k: v.detach().clone() for k, v in self.network.state_dict().items()}

    # ------------------------------------------------------------------ resume

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
        run_dir = Path(run_dir)
        stored, task_json = ckpt.read_run_config(run_dir)
        if task is None:  # config.json is data: its game is resolved among known games only, sizes bounded
            task = _task_of_stored_run(run_dir, stored)
        config = config if config is not None else stored
        new_config = replace_nested(config, **overrides) if overrides else config
        config = stored
        if new_config.game != config.game or new_config.network != config.network or new_config.env_kwargs != config.env_kwargs:
            raise ckpt.CheckpointError("a resumed run keeps its game, env_kwargs and network; start a new run to change them")
        if checkpoint is not None:
            source = rundir.choose_checkpoint(run_dir, None, checkpoint)
            try:
                latest = ckpt.latest_checkpoint(run_dir)
            except ckpt.CheckpointError:  # a damaged pointer: the chosen checkpoint starts a fork
                latest = None
            if fork_to is not None or latest is None or source.resolve() != latest.resolve():
                fork_to = Path(fork_to) if fork_to is not None else run_dir.with_name(f"{run_dir.name}-from-{source.name}")
                rundir.fork_run(run_dir, source, fork_to)
                _say(f"resuming {run_dir} from {source.name} in a new run directory {fork_to} "
                     f"({run_dir} is left as it was)")
                run_dir = fork_to
        elif fork_to is not None:
            raise ckpt.CheckpointError("fork_to needs checkpoint= (the checkpoint the new run starts from)")
        trainer = cls(new_config, run_dir=run_dir, task=task, device=device, progress=progress,
                      tensorboard=tensorboard, ray=ray, callbacks=callbacks, _resuming=True)
        if task_json != trainer.spec.to_json():
            trainer.close()
            raise ckpt.CheckpointError(f"{run_dir} was trained on {task_json.get('name')!r} with spec {task_json}, "
                                       f"but the task given has spec {trainer.spec.to_json()}")
        try:
            chosen = rundir.choose_checkpoint(run_dir, trainer.spec, say=_say)
            if chosen is not None:
                trainer._load(chosen)
            MetricsLog.trim(run_dir, trainer.history)  # lines past the checkpoint go: the log is appended to
        except BaseException:
            trainer.close()
            raise
        if new_config != config:
            ckpt.write_run_config(run_dir, new_config, trainer.spec)
        return trainer

    def _load(self, checkpoint: Path) -> None:
        """Load everything first, then commit: a bad file leaves the trainer (and the disk) untouched."""
        state = ckpt.read_checkpoint_state(checkpoint, self.spec)
        network = AlphaZeroNetwork(self.spec, self.config.network)
        ckpt.load_model_weights(checkpoint / "model.safetensors", network, self.spec)
        optimizer = torch.optim.AdamW(network.parameters(), lr=self.config.train.learning_rate,
                                      weight_decay=self.config.train.weight_decay)
        ckpt.load_optimizer(checkpoint, optimizer)
        replay = None
        if (checkpoint / "replay.npz").is_file():
            try:
                replay = ReplayBuffer.load(checkpoint / "replay.npz", self.spec, self.config.train.replay_capacity)
            except ValueError as error:
                raise ckpt.CheckpointError(str(error)) from error
        records = None
        if (checkpoint / "records.npz").is_file():
            try:
                records = ReplayBuffer.load(checkpoint / "records.npz", self.spec)
            except ValueError as error:
                raise ckpt.CheckpointError(str(error)) from error
        best = None
        if (checkpoint / "best_model.safetensors").is_file():
            best_net = AlphaZeroNetwork(self.spec, self.config.network)
            ckpt.load_model_weights(checkpoint / "best_model.safetensors", best_net, self.spec)
            best = best_net.state_dict()
        self.network.load_state_dict(network.state_dict())
        self.optimizer.load_state_dict(optimizer.state_dict())
        if replay is not None:
            self.replay = replay
        if records is not None:
            self.records = records
        if best is not None:
            self.best_state = best
        elif self.best_state is not None:  # gating switched on at resume: the loaded network is the best so far
            self.best_state = {k: v.detach().clone() for k, v in self.network.state_dict().items()}
        self.iteration = int(state["iteration"])
        self.counters.update(state.get("counters", {}))
        self.selfplay.load_state_dict(state.get("selfplay", {}))
        self.plan, note = schedule.replan(state.get("schedule"), self.config.train, self.iteration,
                                          float(self.counters["seconds"]))
        if note:
            _say(note)
        ckpt.restore_rng_state(state["rng"], self.rng)
        self.history = MetricsLog.read(self.run_dir, up_to=self.iteration)

    # ------------------------------------------------------------------ the loop

    def learn(self, iterations: int | None = None) -> list[dict[str, Any]]:
        """Run until ``iterations`` (default ``train.iterations``) are complete or the time limit is hit."""
        target = self.config.train.iterations if iterations is None else iterations
        limit = self.config.train.time_limit_s
        try:
            while self.iteration < target:
                end = schedule.planned_end(self.plan)
                if end is not None and self.iteration >= end:
                    self._print(f"planned end of the time-limited run reached after {self.iteration} iterations")
                    break
                if end is None and limit is not None and self.counters["seconds"] + self._saving_seconds >= limit:
                    self._print(f"time limit of {limit:.0f}s reached after {self.iteration} iterations")
                    break
                self.run_iteration(target)
        finally:
            self.close()
        return self.history

    def run_iteration(self, target: int | None = None) -> dict[str, Any]:
        """One iteration: self-play, training, gating, evaluation, logging, checkpoint."""
        config = self.config
        target = target or config.train.iterations
        # The time limit is wall time: the last checkpoint write counts, within this iteration's time.
        start = time.perf_counter() - self._saving_seconds
        self._saving_seconds = 0.0
        metrics: dict[str, Any] = {"iteration": self.iteration + 1}
        if self.iteration == 0 and config.selfplay.random_games and self.replay.total_added == 0:
            from az_pz.warmstart import random_play_positions

            played, _ = random_play_positions(self.task, config.selfplay.random_games, self.rng,
                                              symmetries=config.selfplay.symmetry_augmentation)
            for position in played:
                self.replay.add(*position)
            metrics["selfplay/random_play_positions"] = float(len(played))
        bar = self._bar(config.selfplay.games_per_iteration, f"iter {self.iteration + 1} self-play")
        positions, stats = self.selfplay.play(config.selfplay.games_per_iteration, self.rng,
                                              on_game=(lambda _: bar.update(1)) if bar else None)
        if bar:
            bar.close()
        for position in positions:
            self.replay.add(*position)
        metrics.update(stats.metrics())
        if config.selfplay.record_games:
            self._record_selfplay(stats)
        metrics.update(self._train(len(positions)))
        if config.eval.gating:
            metrics.update(self._gate())
        self.iteration += 1
        every = config.eval.every
        if every and (self.iteration % every == 0 or self.iteration >= target):
            metrics.update(self.evaluate())
        if self._yardstick is not None:
            metrics.update(self._yardstick.measure(self, last=self.iteration >= target))
        self.counters["games"] += stats.games
        self.counters["positions"] += stats.positions
        self.counters["seconds"] += time.perf_counter() - start
        metrics["time/iteration_s"] = time.perf_counter() - start
        metrics["time/total_s"] = self.counters["seconds"]
        self._log(metrics)
        note = schedule.update_plan(self.plan, self.iteration,
                                    [m["time/iteration_s"] for m in self.history[-2:] if "time/iteration_s" in m])
        if note:
            self._print(note)
        end = schedule.planned_end(self.plan)
        last = self.iteration >= target or (end is not None and self.iteration >= end) or (
            end is None and config.train.time_limit_s is not None
            and self.counters["seconds"] >= config.train.time_limit_s)
        if self.iteration % config.train.checkpoint_every == 0 or last:
            saving = time.perf_counter()
            self.save()
            self._saving_seconds = time.perf_counter() - saving
        trim_heap()  # the iteration's freed buffers back to the OS: flat resident memory over long runs
        return metrics

    def _train(self, new_samples: int) -> dict[str, float]:
        return learner.train(self, new_samples)

    def _record_selfplay(self, stats) -> None:
        if self._selfplay_recorder is None:
            from az_pz.records.selfplay import SelfPlayRecorder

            self._selfplay_recorder = SelfPlayRecorder(self.run_dir / "selfplay_games.jsonl", self.task,
                                                       self.config.game, self.config.env_kwargs)
        self._selfplay_recorder.write(stats.game_actions, stats.returns, self.iteration + 1)

    def _records_fraction(self) -> float:
        return learner.records_fraction(self)

    def _sample(self, batch_size: int, records_fraction: float) -> list[PhaseBatch]:
        return learner.sample(self, batch_size, records_fraction)

    def train_step(self, batches: list[PhaseBatch]) -> np.ndarray:
        """One AdamW step on a batch grouped by phase; returns (policy loss, value loss, target entropy)
        (:mod:`az_pz.training.learner`)."""
        return learner.train_step(self, batches)

    # ------------------------------------------------------------------ gating and evaluation

    def _search_player(self, network: AlphaZeroNetwork | None = None, games: int = 1):
        return evaluation.search_player(self, network, games)

    def _gate(self) -> dict[str, float]:
        return evaluation.gate(self)

    def evaluate(self, *, games_vs_random: int | None = None, games_vs_rollout: int | None = None,
                 rollout_simulations: int | None = None, prefix: str = "eval") -> dict[str, float]:
        """Win rates of the current network with search against random play and a rollout MCTS (seats alternated;
        :mod:`az_pz.training.evaluation`)."""
        config = self.config.eval
        return evaluation.evaluate(self, config.games_vs_random if games_vs_random is None else games_vs_random,
                                   config.games_vs_rollout if games_vs_rollout is None else games_vs_rollout,
                                   rollout_simulations or config.rollout_simulations, prefix)

    def final_evaluation(self) -> dict[str, float]:
        """The end-of-training evaluation (``eval.final_games`` per opponent), logged as ``final/...``."""
        config = self.config.eval
        metrics = self.evaluate(games_vs_random=config.final_games, games_vs_rollout=config.final_games,
                                rollout_simulations=config.final_rollout_simulations, prefix="final")
        self._print("final: " + "  ".join(f"{k.split('/')[1]} {v:.3f}" for k, v in metrics.items()))
        from az_pz.io import atomic_write_json

        atomic_write_json(self.run_dir / "final_eval.json", {"iteration": self.iteration, **metrics})
        return metrics

    # ------------------------------------------------------------------ persistence and logging

    def save(self) -> Path:
        """Write a checkpoint of the current iteration (atomic; ``latest`` updated last)."""
        config_json = ckpt.config_to_json(self.config)["network"]
        files: dict[str, Any] = {
            "model.safetensors": ckpt.model_to_bytes(self.network, self.spec, config_json),
            "optimizer.safetensors": ckpt.optimizer_to_bytes(self.optimizer),
        }
        if self.config.train.save_replay:
            files["replay.npz"] = self.replay
        if self.records is not None:
            files["records.npz"] = self.records
        if self.best_state is not None:
            best = AlphaZeroNetwork(self.spec, self.config.network)
            best.load_state_dict(self.best_state)
            files["best_model.safetensors"] = ckpt.model_to_bytes(best, self.spec, config_json)
        state = {"game": self.spec.name, "counters": self.counters, "selfplay": self.selfplay.state_dict(),
                 "rng": ckpt.rng_state(self.rng), "lr": self.optimizer.param_groups[0]["lr"],
                 "schedule": self.plan}
        return ckpt.save_checkpoint(self.run_dir, self.iteration, files, state, keep=self.config.train.keep_checkpoints,
                                    keep_every=self.config.train.keep_every)

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
        self.selfplay, self.config, self._ray = new, config, ray
        ckpt.write_run_config(self.run_dir, config, self.spec)

    def close(self) -> None:
        """Stop self-play workers, close TensorBoard, release the run's lock (the trainer writes no more)."""
        if getattr(self, "selfplay", None) is not None:
            self.selfplay.close()
        for callback in getattr(self, "callbacks", ()):
            callback.on_train_end(self)
        if getattr(self, "_lock", None) is not None:
            self._lock.release()
            self._lock = None

    def _bar(self, total: int, description: str):
        if not self.progress or not on_terminal():  # a log file gets the iteration line, not bar frames
            return None
        from tqdm.auto import tqdm

        return tqdm(total=total, desc=description, leave=False, dynamic_ncols=True)

    def _print(self, text: str) -> None:
        if self.progress:
            from tqdm.auto import tqdm

            tqdm.write(text)


def _say(text: str) -> None:
    """A notice the user must see whatever the progress setting (a fallback checkpoint, a fork)."""
    import sys

    print(f"az-pz: {text}", file=sys.stderr, flush=True)


_summary_line = summary_line  # its former home
