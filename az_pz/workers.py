"""Self-play in worker processes (``selfplay.num_workers > 0``).

Each worker is a ``spawn``-ed process that builds its own task (by name, ``make_task``), network
and :class:`~az_pz.selfplay.SelfPlay`, with one CPU thread; its network runs on the CPU or, with
``selfplay.worker_device = "cuda"``, on the GPU that all workers share (the searches, which are
CPU work, then run side by side on separate cores). Nothing of ours is
pickled: a worker gets the game name and the config as JSON; weights travel as a safetensors
file written atomically into the run directory; jobs and results are tuples of plain Python
values and NumPy arrays. A job says how many games to play, with which weights version and seed,
so one seed gives one run for a given number of workers.

On a machine with few cores, ``num_workers = 0`` (self-play in the training process, every game
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

from az_pz.distributed.samples import pack_positions, unpack_positions
from az_pz.selfplay import Position, SelfPlayStats

__all__ = ["SelfPlayWorkers", "WorkerDiedError"]


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
    """Worker loop: ``("play", games, version, seed, resign_threshold, job)`` -> ``(job, arrays, stats)``;
    ``None`` stops."""
    if parent_pid is not None:
        _die_with_parent(parent_pid)
    import torch

    torch.set_num_threads(1)
    from az_pz.checkpoint import load_model_weights
    from az_pz.config import config_from_json
    from az_pz.games import make_task
    from az_pz.network import AlphaZeroNetwork, NetworkEvaluator
    from az_pz.selfplay import SelfPlay

    config = config_from_json(json.loads(config_json))
    task = make_task(config.game, **config.env_kwargs)
    network = AlphaZeroNetwork(task.spec, config.network)
    device = config.device if config.selfplay.worker_device == "auto" else config.selfplay.worker_device
    selfplay = SelfPlay(task, NetworkEvaluator(network, device), config.search, config.selfplay)
    loaded = -1
    while True:
        job = jobs.get()
        if job is None:
            return
        _, games, version, seed, threshold, index = job
        if version != loaded:
            load_model_weights(weights_path, network, task.spec)
            loaded = version
        selfplay.resign_threshold = threshold
        selfplay.resign_playouts = selfplay.resign_false_positives = 0
        positions, stats = selfplay.play(games, np.random.default_rng(seed))
        summary = {k: getattr(stats, k) for k in ("games", "moves", "positions", "samples", "simulations",
                                                   "resignations", "resign_playouts", "resign_false_positives",
                                                   "adjudicated", "evaluations", "cache_hits")}
        summary["returns"] = np.stack(stats.returns) if stats.returns else np.zeros((0, task.spec.num_players))
        summary["game_actions"] = stats.game_actions
        results.put((index, pack_positions(positions, task.spec), summary))


class WorkerDiedError(RuntimeError):
    """A self-play worker process ended while the trainer waited for it; the message is one line."""


def _death_line(process: Any, run_dir: Path) -> str:
    code = process.exitcode
    how = f"was killed by signal {-code}" if code is not None and code < 0 else f"exited with status {code}"
    return (f"self-play worker {process.name} (PID {process.pid}) {how}; the last complete checkpoint is kept: "
            f"continue with az-pz train --resume {run_dir} (selfplay.num_workers=0 shows a worker's error)")


class SelfPlayWorkers:
    """A pool of self-play processes fed with the trainer's current weights."""

    def __init__(self, config: Any, spec: Any, run_dir: str | Path) -> None:
        import torch.multiprocessing as mp

        from az_pz.config import config_to_json

        from az_pz.network import resolve_device

        if config.selfplay.worker_device == "cuda":
            resolve_device("cuda")  # no CUDA: a clear error here rather than dead workers
        self.spec = spec
        self.num_workers = config.selfplay.num_workers
        self.weights_path = Path(run_dir) / "selfplay_weights.safetensors"
        self.version = 0
        context = mp.get_context("spawn")
        self.jobs = context.Queue()
        self.results = context.Queue()
        text = json.dumps(config_to_json(config))
        self.run_dir = Path(run_dir)
        self.processes = [context.Process(target=_worker_main, name=f"az_pz-selfplay-{i}",
                                          args=(text, str(self.weights_path), self.jobs, self.results, os.getpid()),
                                          daemon=True) for i in range(self.num_workers)]
        for process in self.processes:
            process.start()

    def play(self, network: Any, selfplay: Any, num_games: int,
             rng: np.random.Generator) -> tuple[list[Position], SelfPlayStats]:
        """``num_games`` games split over the workers with ``network``'s current weights."""
        from az_pz.checkpoint import model_to_bytes
        from az_pz.io import atomic_write_bytes

        start = time.perf_counter()
        self.version += 1
        atomic_write_bytes(self.weights_path, model_to_bytes(network, self.spec, {}))
        shares = [num_games // self.num_workers + (i < num_games % self.num_workers) for i in range(self.num_workers)]
        jobs = [s for s in shares if s > 0]
        for index, games in enumerate(jobs):
            self.jobs.put(("play", games, self.version, int(rng.integers(2**63 - 1)), selfplay.resign_threshold,
                           index))
        # Results arrive in the order the workers finish; taken in job order, one seed gives one replay buffer.
        done = sorted((self._get() for _ in jobs), key=lambda result: result[0])
        stats = SelfPlayStats()
        positions: list[Position] = []
        for _, arrays, summary in done:
            positions.extend(unpack_positions(arrays, self.spec))
            for key in ("games", "moves", "positions", "samples", "simulations", "resignations", "adjudicated",
                        "evaluations", "cache_hits"):
                setattr(stats, key, getattr(stats, key) + int(summary[key]))
            selfplay.resign_playouts += int(summary["resign_playouts"])
            selfplay.resign_false_positives += int(summary["resign_false_positives"])
            stats.returns.extend(list(summary["returns"]))
            stats.game_actions.extend(summary["game_actions"])
        selfplay._adjust_resign_threshold()
        stats.seconds = time.perf_counter() - start
        return positions, stats

    def _get(self) -> Any:
        while True:
            try:
                return self.results.get(timeout=5.0)
            except queue.Empty:
                dead = [p for p in self.processes if not p.is_alive()]
                if dead:
                    raise WorkerDiedError(_death_line(dead[0], self.run_dir))

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
        try:
            os.unlink(self.weights_path)
        except OSError:
            pass
