"""What the training loop reports, and to whom: callbacks, as Stable-Baselines3 users know them.

Within every iteration, after its evaluation games, the :class:`~az_pz.train.Trainer` asks each callback for
measurements of its own (``on_evaluation(trainer, final)``: a dict merged into the iteration's metrics, timed
with it; the perfect-play yardstick of :mod:`az_pz.yardstick.training` is one). After every iteration it calls
``on_iteration_end(trainer, metrics)`` of each callback, in order, with that iteration's metrics
(``{"iteration": k, "loss/policy": ..., ...}``); at the end of :meth:`~az_pz.train.Trainer.learn` (or on
:meth:`~az_pz.train.Trainer.close`) it calls ``on_train_end(trainer)``. The default callbacks write the run's
records:

* :class:`MetricsLog` appends one JSON line per iteration to ``RUN/metrics.jsonl``;
* :class:`TensorBoardLog` writes the same scalars to ``RUN/tensorboard`` (when TensorBoard is installed);
* :class:`ConsoleLine` prints one summary line per iteration (when the trainer reports progress).

A user's own callbacks go after them: ``Trainer(config, callbacks=[MyCallback()])``.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

__all__ = ["Callback", "ConsoleLine", "MetricsLog", "TensorBoardLog", "console", "default_callbacks", "game_bar",
           "on_terminal", "progress_bar", "summary_line"]


class Callback:
    """Base class: override what you need. ``trainer`` is the :class:`~az_pz.train.Trainer`."""

    def on_evaluation(self, trainer: Any, final: bool) -> dict[str, float]:
        """After the evaluation step of iteration ``trainer.iteration`` (``final``: the run's last one): figures
        to add to its metrics (none by default)."""
        return {}

    def on_iteration_end(self, trainer: Any, metrics: dict[str, Any]) -> None:
        """After an iteration's metrics are complete (before its checkpoint is written)."""

    def on_train_end(self, trainer: Any) -> None:
        """When the trainer stops (end of ``learn``, an error, ``close``); may be called more than once."""


def on_terminal() -> bool:
    """Progress bars only where someone watches them: a log file gets lines, not carriage-return frames."""
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def progress_bar(progress: bool, total: int, description: str):
    """A tqdm bar when the trainer reports progress on a terminal, else None."""
    if not progress or not on_terminal():  # a log file gets the iteration line, not bar frames
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=description, leave=False, dynamic_ncols=True)


@contextlib.contextmanager
def game_bar(progress: bool, total: int, description: str) -> Iterator[Callable[[Any], None] | None]:
    """Self-play's ``on_game``, advancing a bar of ``total`` games (on a terminal; else None)."""
    bar = progress_bar(progress, total, description)
    try:
        yield (lambda _: bar.update(1)) if bar else None
    finally:
        if bar:
            bar.close()


def console(progress: bool, text: str) -> None:
    """A line for the person watching (when the trainer reports progress), printed above any bar."""
    if progress:
        from tqdm.auto import tqdm

        tqdm.write(text)


class MetricsLog(Callback):
    """Appends each iteration's metrics as one JSON line to ``RUN/metrics.jsonl`` (flushed to disk).

    Appending never rewrites earlier lines; a resumed run first drops lines past its checkpoint
    (:meth:`trim`), so the log holds each iteration once."""

    def on_iteration_end(self, trainer: Any, metrics: dict[str, Any]) -> None:
        from az_pz.atomic_files import append_text

        append_text(Path(trainer.run_dir) / "metrics.jsonl", json.dumps(metrics) + "\n")

    @staticmethod
    def read(run_dir: str | os.PathLike, up_to: int | None = None) -> list[dict[str, Any]]:
        """The metrics lines of a run (lines that are not JSON, e.g. cut by a crash, skipped)."""
        path = Path(run_dir) / "metrics.jsonl"
        if not path.is_file():
            return []
        out = []
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                row = json.loads(line)
            except ValueError:
                continue
            if isinstance(row, dict) and (up_to is None or row.get("iteration", 0) <= up_to):
                out.append(row)
        return out

    @staticmethod
    def trim(run_dir: str | os.PathLike, rows: list[dict[str, Any]]) -> None:
        """Rewrite the log as ``rows`` (atomically), when it holds anything else."""
        from az_pz.atomic_files import atomic_write_bytes

        path = Path(run_dir) / "metrics.jsonl"
        text = "".join(json.dumps(row) + "\n" for row in rows)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            atomic_write_bytes(path, text.encode())


class TensorBoardLog(Callback):
    """The metrics as TensorBoard scalars in ``RUN/tensorboard`` (skipped when TensorBoard is not installed)."""

    def __init__(self) -> None:
        self._writer: Any = None
        self._available = True

    def on_iteration_end(self, trainer: Any, metrics: dict[str, Any]) -> None:
        if self._writer is None and self._available:
            try:
                from torch.utils.tensorboard import SummaryWriter
            except ImportError:
                self._available = False
                return
            # purge_step: events a crashed run wrote past its checkpoint are replaced by the resumed run's
            self._writer = SummaryWriter(str(Path(trainer.run_dir) / "tensorboard"),
                                         purge_step=metrics["iteration"])
        if self._writer is None:
            return
        for key, value in metrics.items():
            if key != "iteration" and isinstance(value, (int, float)):
                self._writer.add_scalar(key, value, metrics["iteration"])
        self._writer.flush()

    def on_train_end(self, trainer: Any) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None


class ConsoleLine(Callback):
    """One summary line per iteration (``iter 3/20 | loss ... | self-play ... games/s | ...``)."""

    def on_iteration_end(self, trainer: Any, metrics: dict[str, Any]) -> None:
        trainer._print(summary_line(metrics, trainer.config.train.iterations))


def default_callbacks(*, tensorboard: bool) -> list[Callback]:
    """What every run records: metrics.jsonl, TensorBoard (if asked), the console line."""
    return [MetricsLog(), *([TensorBoardLog()] if tensorboard else []), ConsoleLine()]


def summary_line(m: dict[str, Any], iterations: int) -> str:
    """The console line of one iteration's metrics."""
    parts = [f"iter {m['iteration']}/{iterations}"]
    if "loss/policy" in m:
        parts.append(f"loss policy {m['loss/policy']:.3f} value {m['loss/value']:.3f}")
    parts.append(f"self-play {m['selfplay/games_per_s']:.1f} games/s {m['selfplay/sims_per_s']:.0f} sims/s")
    if "distributed/workers" in m:  # Ray self-play (az_pz.distributed)
        parts.append(f"{int(m['distributed/workers'])} workers, weight lag {m['distributed/weight_lag']:.1f}, "
                     f"replay {int(m.get('replay/size', 0))}")
    if "eval/win_rate_random" in m:
        parts.append(f"vs random won {m['eval/win_rate_random']:.2f} lost {m['eval/loss_rate_random']:.2f}")
    if "eval/win_rate_mcts" in m:
        parts.append(f"vs mcts{int(m['eval/mcts_simulations'])} won {m['eval/win_rate_mcts']:.2f} "
                     f"lost {m['eval/loss_rate_mcts']:.2f}")
    if "yardstick/optimal_network" in m or "yardstick/optimal_search" in m:
        parts.append("optimal " + " ".join(f"{kind} {m[f'yardstick/optimal_{kind}']:.3f}" for kind in ("network", "search")
                                           if f"yardstick/optimal_{kind}" in m))
    if "gating/accepted" in m:
        parts.append("gate " + ("accepted" if m["gating/accepted"] else "rejected"))
    parts.append(f"{m['time/iteration_s']:.1f}s")
    return " | ".join(parts)
