"""The ``processes`` self-play backend: worker processes on this machine (``selfplay.backend = "processes"``).

Each worker is a ``spawn``-ed process that builds its own task (by name, ``make_task``), network
and :class:`~az_pz.selfplay.SelfPlay` (:func:`az_pz.selfplay.jobs.build_worker`), with one CPU
thread; its network runs on the CPU or, with ``selfplay.worker_device = "cuda"``, on the GPU that
all workers share (the searches, which are CPU work, then run side by side on separate cores). Nothing of ours is
pickled: a worker gets the game name and the config as JSON; weights travel as a safetensors
file written atomically into the run directory; results are the job format of
:mod:`az_pz.selfplay.jobs` (plain Python values and NumPy arrays), merged by
:func:`az_pz.selfplay.stats.merge_result`. A job says how many games to play, with which weights version and seed,
so one seed gives one run for a given number of workers.

On a machine with few cores, the ``inline`` backend (self-play in the training process, every game
batched through one search) is usually as fast; measure with your core count.
"""

from __future__ import annotations

import json
import os
import queue
import time
from pathlib import Path
from typing import Any

import numpy as np

from az_pz.selfplay.jobs import unpack_positions
from az_pz.selfplay.stats import Position, ResignState, SelfPlayStats, merge_result

__all__ = ["ProcessSelfPlay", "SelfPlayWorkers", "WorkerDiedError"]


def _die_with_parent(parent_pid: int) -> None:
    """A worker never outlives its trainer, whatever kills the trainer (``kill -9`` included).

    Linux: the kernel sends SIGKILL when the parent dies (``prctl(PR_SET_PDEATHSIG)``). Everywhere: a daemon
    thread watches the parent's PID and exits the process when the worker is re-parented. Ctrl-C reaches the
    whole process group; the worker ignores it (no traceback) and the trainer stops it.
    """
    import signal
    import sys
    import threading

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG = 1
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent_pid:  # the trainer died before the death signal was armed
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="az_pz-parent-watch", daemon=True).start()


def _worker_main(config_json: str, weights_path: str, jobs: Any, results: Any, parent_pid: int | None = None) -> None:
    """Worker loop: ``(index, games, version, seed, resign_threshold)`` -> ``(index, result)``
    (:func:`az_pz.selfplay.jobs.run_job`); ``None`` stops."""
    if parent_pid is not None:
        _die_with_parent(parent_pid)
    import torch

    torch.set_num_threads(1)
    from az_pz.checkpoint import load_model_weights
    from az_pz.selfplay.jobs import build_worker, run_job

    run_config = json.loads(config_json)
    selfplay_config = run_config["selfplay"]
    device = run_config["device"] if selfplay_config["worker_device"] == "auto" else selfplay_config["worker_device"]
    task, network, selfplay = build_worker(run_config, device)
    loaded = -1
    while True:
        job = jobs.get()
        if job is None:
            return
        index, games, version, seed, threshold = job
        if version != loaded:
            load_model_weights(weights_path, network, task.spec)
            loaded = version
        results.put((index, run_job(selfplay, games, seed, threshold)))


class WorkerDiedError(RuntimeError):
    """A self-play worker process ended while the trainer waited for it; the message is one line."""


def _death_line(process: Any, run_dir: Path) -> str:
    code = process.exitcode
    how = f"was killed by signal {-code}" if code is not None and code < 0 else f"exited with status {code}"
    return (f"self-play worker {process.name} (PID {process.pid}) {how}; the last complete checkpoint is kept: "
            f"continue with az-pz train --resume {run_dir} (--selfplay.backend inline --selfplay.workers 0 shows a "
            f"worker's error)")


class ProcessSelfPlay(ResignState):
    """A pool of ``selfplay.workers`` self-play processes fed with ``network``'s current weights."""

    def __init__(self, config: Any, spec: Any, network: Any, run_dir: str | Path) -> None:
        from az_pz.config import config_to_json
        from az_pz.network import resolve_device

        if config.selfplay.worker_device == "cuda":
            resolve_device("cuda")  # no CUDA: a clear error here rather than dead workers
        self.spec = spec
        self.network = network
        self.target_rate = config.selfplay.resign_target_false_positive_rate
        self._init_resign(config.selfplay.resign_threshold)
        self.num_workers = config.selfplay.workers
        self.weights_path = Path(run_dir) / "selfplay_weights.safetensors"
        self.version = 0
        self.run_dir = Path(run_dir)
        self._config_json = json.dumps(config_to_json(config))
        self.processes: list[Any] = []

    def start(self) -> None:
        """Spawn the workers (the first :meth:`play` does; after :meth:`close`, the next one again)."""
        if self.processes:
            return
        import torch.multiprocessing as mp

        context = mp.get_context("spawn")
        self.jobs = context.Queue()
        self.results = context.Queue()
        self.processes = [context.Process(target=_worker_main, name=f"az_pz-selfplay-{i}",
                                          args=(self._config_json, str(self.weights_path), self.jobs, self.results,
                                                os.getpid()),
                                          daemon=True) for i in range(self.num_workers)]
        for process in self.processes:
            process.start()

    def play(self, num_games: int, rng: np.random.Generator,
             on_game: Any = None) -> tuple[list[Position], SelfPlayStats]:
        """``num_games`` games split over the workers with the network's current weights."""
        from az_pz.checkpoint import model_to_bytes
        from az_pz.atomic_files import atomic_write_bytes

        start = time.perf_counter()
        self.start()
        self.version += 1
        atomic_write_bytes(self.weights_path, model_to_bytes(self.network, self.spec, {}))
        shares = [num_games // self.num_workers + (i < num_games % self.num_workers) for i in range(self.num_workers)]
        jobs = [s for s in shares if s > 0]
        for index, games in enumerate(jobs):
            self.jobs.put((index, games, self.version, int(rng.integers(2**63 - 1)), self.resign_threshold))
        # Results arrive in the order the workers finish; taken in job order, one seed gives one replay buffer.
        done = []
        for _ in jobs:
            done.append(self._get())
            if on_game is not None:
                for _ in range(int(done[-1][1]["games"])):
                    on_game(0)
        stats = SelfPlayStats()
        positions: list[Position] = []
        for _, result in sorted(done, key=lambda item: item[0]):
            positions.extend(unpack_positions(result, self.spec))
            merge_result(stats, self, result)
        self._lower_resign_threshold(self.target_rate)
        stats.seconds = time.perf_counter() - start
        stats.resign_playouts, stats.resign_false_positives = self.resign_playouts, self.resign_false_positives
        return positions, stats

    def _get(self) -> Any:
        """The next result; a dead worker is reported even while the others keep the results coming."""
        while True:
            try:
                result = self.results.get(timeout=5.0)
            except queue.Empty:
                result = None
            dead = [p for p in self.processes if not p.is_alive()]
            if dead:
                raise WorkerDiedError(_death_line(dead[0], self.run_dir))
            if result is not None:
                return result

    def close(self) -> None:
        """Stop every worker: a polite ``None`` job, then SIGKILL for one still busy after a few seconds
        (an interrupted trainer does not wait for the games in flight)."""
        for _ in self.processes:
            try:
                self.jobs.put(None)
            except (OSError, ValueError):
                break
        deadline = time.monotonic() + 3.0
        for process in self.processes:
            process.join(timeout=max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join(timeout=5)
        self.processes = []
        try:
            os.unlink(self.weights_path)
        except OSError:
            pass


SelfPlayWorkers = ProcessSelfPlay
"""The pool's former name (``az_pz.workers.SelfPlayWorkers``)."""
