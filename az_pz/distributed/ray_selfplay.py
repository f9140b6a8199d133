"""The worker side of distributed self-play: Ray actors that play games with published weights.

* :class:`WeightStore` (an actor with no CPU) remembers the newest published weights: a version
  number and a reference to safetensors bytes the learner put in Ray's object store (``ray.put``).
  Weights travel as safetensors bytes, never as pickled Python objects.
* :class:`SelfPlayWorker` builds the task by name, a CPU network and an :class:`az_pz.selfplay.SelfPlay`
  from a run config given as JSON-ready data (:func:`az_pz.selfplay.jobs.build_worker`). Each
  :meth:`SelfPlayWorker.play` call first pulls the newest weights (from the store; the weights the
  learner attached to the call are the fallback), plays ``num_games`` games, and returns the job
  format of :mod:`az_pz.selfplay.jobs` (positions packed as NumPy arrays, counters), tagged with the
  worker and the weight version they were made with.

Importing this module imports Ray; the core never does.
"""

from __future__ import annotations

import time
from typing import Any

import ray
import torch

from az_pz.checkpoint import load_model_bytes
from az_pz.selfplay.jobs import build_worker, run_job

__all__ = ["SelfPlayWorker", "WeightStore", "remote_store", "remote_worker"]

WeightRef = list  # ``[ObjectRef]``: wrapped in a list so Ray passes the reference instead of resolving it


class WeightStore:
    """The newest weights: ``(version, [ObjectRef of safetensors bytes], extras)``."""

    def __init__(self) -> None:
        self.version = -1
        self.weights: WeightRef | None = None
        self.extras: dict[str, Any] = {}

    def publish(self, version: int, weights: WeightRef, extras: dict[str, Any]) -> int:
        """Replace the weights when ``version`` is newer (the old object is freed when nobody holds it)."""
        if version > self.version:
            self.version, self.weights, self.extras = version, weights, dict(extras)
        return self.version

    def latest(self, known_version: int) -> tuple[int, WeightRef, dict[str, Any]] | None:
        """The newest weights if newer than ``known_version``, else None (a cheap poll)."""
        if self.weights is None or self.version <= known_version:
            return None
        return self.version, self.weights, self.extras


class SelfPlayWorker:
    """Plays self-play games on CPU with the newest published weights (one Ray actor per worker)."""

    def __init__(self, run_config: dict[str, Any], worker: int, store: Any = None, *,
                 games_per_task: int, torch_threads: int = 1) -> None:
        torch.set_num_threads(torch_threads)
        self.worker = worker
        self.store = store
        self.task, self.network, self.selfplay = build_worker(run_config, "cpu", concurrent_games=games_per_task)
        self.version = -1
        """Version of the weights loaded; -1 before the first."""
        self.extras: dict[str, Any] = {}

    def play(self, num_games: int, seed: int, fallback_version: int, fallback: WeightRef,
             ) -> dict[str, Any]:
        """Play ``num_games`` games with the newest weights: the job format of :func:`az_pz.selfplay.jobs.run_job`
        plus ``worker``, ``version`` and ``finished_at``.

        ``fallback`` are the weights current when the call was queued: used when the store has
        nothing newer or cannot be reached, so a call never plays with random weights.
        """
        self._sync(fallback_version, fallback)
        threshold = self.extras.get("resign_threshold", self.selfplay.resign_threshold)
        result = run_job(self.selfplay, num_games, seed, threshold)
        result.update({"worker": self.worker, "version": self.version, "finished_at": time.time()})
        return result

    def _sync(self, fallback_version: int, fallback: WeightRef) -> None:
        newest: tuple[int, WeightRef, dict[str, Any]] | None = None
        if self.store is not None:
            try:
                newest = ray.get(self.store.latest.remote(max(self.version, fallback_version)))
            except ray.exceptions.RayError:
                newest = None  # store lost: the learner's fallback weights keep the worker going
        if newest is None and fallback_version > self.version:
            newest = (fallback_version, fallback, self.extras)
        if newest is None:
            return
        version, weights, extras = newest
        load_model_bytes(ray.get(weights[0]), self.network, self.task.spec, name=f"weights v{version}")
        self.network.eval()
        self.version, self.extras = version, dict(extras)


def remote_store() -> Any:
    """A :class:`WeightStore` actor (no CPU reserved; restarted by Ray if its process dies)."""
    return ray.remote(WeightStore).options(num_cpus=0, max_restarts=-1, max_task_retries=-1).remote()


def remote_worker(run_config: dict[str, Any], worker: int, store: Any, *, games_per_task: int,
                  torch_threads: int = 1) -> Any:
    """A :class:`SelfPlayWorker` actor holding one CPU. Its restarts are the learner's job (it
    recreates dead actors and resubmits their games), so Ray itself does not restart it."""
    actor = ray.remote(SelfPlayWorker).options(num_cpus=1, max_restarts=0)
    return actor.remote(run_config, worker, store, games_per_task=games_per_task, torch_threads=torch_threads)
