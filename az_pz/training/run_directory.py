"""The trainer's run directory: every read and write of one run goes through :class:`RunDirectory`.

``config.json``, the one-writer lock, checkpoints (``checkpoints/iter_XXXX`` and ``latest``), the appended
``metrics.jsonl``, ``final_eval.json`` and ``selfplay_games.jsonl``. The rules (which directories a new run may
use, which checkpoint a resume starts from, forks) are :mod:`az_pz.rundir`'s; the file formats are
:mod:`az_pz.checkpoint`'s.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from az_pz import checkpoint as ckpt
from az_pz import rundir
from az_pz.config import RunConfig
from az_pz.task import Task, TaskSpec
from az_pz.training.callbacks import MetricsLog

__all__ = ["RunDirectory"]


class RunDirectory:
    """One run's directory. A new run's is checked at once (missing or empty, nothing written);
    :meth:`open` then creates it, takes the lock and writes ``config.json``."""

    def __init__(self, path: str | Path, *, new: bool) -> None:
        self.path = Path(path)
        self.new = new
        if new:  # a new run: a missing or empty directory only; refused before anything is written
            rundir.check_new_run_dir(self.path)
        self._lock: rundir.RunLock | None = None
        self._recorder = None

    def open(self, config: RunConfig, spec: TaskSpec) -> None:
        """Hold the run (one writer per run, until :meth:`release`); a new run's ``config.json`` is written."""
        if self.new:
            self.path.mkdir(parents=True, exist_ok=True)
        self._lock = rundir.RunLock(self.path)
        if self.new:
            self.write_config(config, spec)

    def release(self) -> None:
        """Drop the lock: the trainer writes no more. Safe to call twice."""
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def write_config(self, config: RunConfig, spec: TaskSpec) -> None:
        ckpt.write_run_config(self.path, config, spec)

    def choose_checkpoint(self, spec: TaskSpec, say: Callable[[str], None]) -> Path | None:
        """The checkpoint a resume starts from (:func:`az_pz.rundir.choose_checkpoint`), or None."""
        return rundir.choose_checkpoint(self.path, spec, say=say)

    def read_state(self, checkpoint: Path, spec: TaskSpec) -> dict[str, Any]:
        return ckpt.read_checkpoint_state(checkpoint, spec)

    def save_checkpoint(self, iteration: int, files: dict[str, Any], state: dict[str, Any], config: RunConfig) -> Path:
        """Write ``checkpoints/iter_XXXX`` atomically, ``latest`` last; old ones pruned as ``train.keep_*`` say."""
        return ckpt.save_checkpoint(self.path, iteration, files, state, keep=config.train.keep_checkpoints,
                                    keep_every=config.train.keep_every)

    def history(self, up_to: int) -> list[dict[str, Any]]:
        """The metrics of iterations ``1..up_to`` from ``metrics.jsonl``."""
        return MetricsLog.read(self.path, up_to=up_to)

    def trim_metrics(self, history: list[dict[str, Any]]) -> None:
        """Drop the lines past the checkpoint a resume starts from (the log is appended to)."""
        MetricsLog.trim(self.path, history)

    def write_final_eval(self, iteration: int, metrics: dict[str, float]) -> None:
        from az_pz.atomic_files import atomic_write_json

        atomic_write_json(self.path / "final_eval.json", {"iteration": iteration, **metrics})

    def record_selfplay(self, task: Task, config: RunConfig, stats: Any, iteration: int) -> None:
        """Append the iteration's self-play games to ``selfplay_games.jsonl`` when ``selfplay.record_games``."""
        if not config.selfplay.record_games:
            return
        if self._recorder is None:
            from az_pz.records.selfplay import SelfPlayRecorder

            self._recorder = SelfPlayRecorder(self.path / "selfplay_games.jsonl", task, config.game,
                                              config.env_kwargs)
        self._recorder.write(stats.game_actions, stats.returns, iteration)
