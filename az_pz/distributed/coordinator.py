"""The learner side of the ``ray`` self-play backend: Ray actors feed the learner's network.

:class:`RaySelfPlay` is a self-play backend (:mod:`az_pz.selfplay.backends`: ``play(num_games, rng,
on_game)``, ``state_dict``, ``load_state_dict``, ``close``), so the run directory, checkpoints, metrics,
evaluation and resume are those of a local run. Per :meth:`RaySelfPlay.play` it

1. publishes the network's weights as the next version (one per call, from 0; safetensors bytes put in
   Ray's object store once, their reference handed to a :class:`WeightStore` actor);
2. gathers finished self-play calls with ``ray.wait`` until ``num_games`` games are in. The
   actors never wait for the learner: each keeps ``tasks_in_flight`` calls queued, so it plays
   on while the learner trains, and each call pulls the newest weights when it starts;
3. drops games whose weights are more than ``max_weight_lag`` versions old;
4. recreates an actor that died (``RayActorError``: killed, out of memory, node lost) and resubmits its
   calls; the games it had in flight are lost, nothing else.

Metrics (TensorBoard and ``metrics.jsonl``): ``selfplay/games_per_s`` is the sum of the workers'
rates, ``distributed/games_per_s_worker{i}`` each worker's, ``distributed/weight_lag`` the mean
age of the accepted games' weights (in versions), ``distributed/dropped_games``,
``distributed/restarts``, ``distributed/wait_s`` (time the learner waited for games).
"""

from __future__ import annotations

import dataclasses
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import ray
from ray.exceptions import NodeDiedError, OutOfMemoryError, RayActorError, WorkerCrashedError

from az_pz.checkpoint import model_to_bytes
from az_pz.config import config_to_json
from az_pz.distributed.config import DistributedConfig
from az_pz.distributed.ray_selfplay import remote_store, remote_worker
from az_pz.selfplay.jobs import unpack_positions
from az_pz.selfplay.stats import Position, ResignState, SelfPlayStats, merge_result

__all__ = ["DistributedStats", "RaySelfPlay"]

_LOST = (RayActorError, WorkerCrashedError, OutOfMemoryError, NodeDiedError)
"""Errors that mean the actor (or its machine) is gone, not that our code failed."""


@dataclasses.dataclass
class DistributedStats(SelfPlayStats):
    """:class:`SelfPlayStats` of the games gathered in one iteration, plus per-worker figures."""

    workers: int = 0
    worker_games: dict[int, int] = dataclasses.field(default_factory=dict)
    worker_moves: dict[int, int] = dataclasses.field(default_factory=dict)
    worker_simulations: dict[int, int] = dataclasses.field(default_factory=dict)
    worker_seconds: dict[int, float] = dataclasses.field(default_factory=dict)
    lag_games: float = 0.0
    """Sum over accepted games of their weights' age in versions (mean = lag_games / games)."""
    max_lag: int = 0
    dropped_games: int = 0
    restarts: int = 0
    version: int = 0
    wait_seconds: float = 0.0

    def metrics(self) -> dict[str, float]:
        out = super().metrics()
        rates = {w: self.worker_games[w] / max(s, 1e-9) for w, s in self.worker_seconds.items()}
        out["selfplay/games_per_s"] = float(sum(rates.values()))
        out["selfplay/moves_per_s"] = float(sum(self.worker_moves[w] / max(s, 1e-9)
                                                for w, s in self.worker_seconds.items()))
        out["selfplay/sims_per_s"] = float(sum(self.worker_simulations[w] / max(s, 1e-9)
                                               for w, s in self.worker_seconds.items()))
        for worker in range(self.workers):
            out[f"distributed/games_per_s_worker{worker}"] = float(rates.get(worker, 0.0))
        out.update({
            "distributed/workers": float(self.workers),
            "distributed/weight_version": float(self.version),
            "distributed/weight_lag": self.lag_games / max(self.games, 1),
            "distributed/weight_lag_max": float(self.max_lag),
            "distributed/dropped_games": float(self.dropped_games),
            "distributed/restarts": float(self.restarts),
            "distributed/wait_s": self.wait_seconds,
        })
        return out

    def add_call(self, result: dict[str, Any], lag: int) -> None:
        """Count one accepted self-play call's games under its worker, played with weights ``lag`` versions old."""
        worker, games = int(result["worker"]), int(result["games"])
        self.worker_games[worker] = self.worker_games.get(worker, 0) + games
        self.worker_moves[worker] = self.worker_moves.get(worker, 0) + int(result["moves"])
        self.worker_simulations[worker] = self.worker_simulations.get(worker, 0) + int(result["simulations"])
        self.worker_seconds[worker] = self.worker_seconds.get(worker, 0.0) + float(result["seconds"])
        self.lag_games += lag * games
        self.max_lag = max(self.max_lag, lag)

    def progress_line(self) -> str:
        """One line per iteration: games/s of every worker and the health of the pipeline."""
        rates = " ".join(f"w{w} {self.worker_games.get(w, 0) / max(self.worker_seconds.get(w, 0.0), 1e-9):.1f}"
                         for w in range(self.workers))
        return (f"  self-play workers (games/s): {rates} | weight v{self.version}, lag "
                f"{self.lag_games / max(self.games, 1):.1f} (max {self.max_lag}) | dropped {self.dropped_games}"
                f" | restarts {self.restarts} | learner waited {self.wait_seconds:.1f}s")


class RaySelfPlay(ResignState):
    """Self-play in ``config.workers`` Ray actors playing ``network``'s weights (see the module docstring).

    ``run_config`` is the run's :class:`~az_pz.config.RunConfig` (the actors build their game and network
    from it). Ray starts on the first :meth:`play` (a local instance, or joining ``config.address``);
    :meth:`close` stops the actors, and a later :meth:`play` starts them again.
    """

    def __init__(self, run_config: Any, spec: Any, network: Any, config: DistributedConfig, *,
                 progress: bool = False) -> None:
        if config.backend != "ray":
            raise ValueError(f"RaySelfPlay needs backend 'ray', got {config.backend!r}")
        self.run_config = run_config
        self.network = network
        self.config = config
        self.spec = spec
        self.progress = progress
        self.selfplay_config = run_config.selfplay
        self._init_resign(run_config.selfplay.resign_threshold)
        self.plays = 0
        """Completed :meth:`play` calls: the next one publishes weights version ``plays``."""
        self.restarts = 0
        """Actors recreated so far in this process."""
        self._started_ray = False
        self._store: Any = None
        self._actors: list[Any] = []
        self._generation: list[int] = []
        self._pending: dict[Any, tuple[int, int]] = {}
        """ObjectRef of a queued call -> (worker slot, actor generation)."""
        self._version = -1
        self._weights: list[Any] = []
        self._rng = np.random.default_rng()

    @property
    def actors(self) -> list[Any]:
        """Current actor handles, one per worker slot."""
        return list(self._actors)

    # ------------------------------------------------------------------ lifecycle

    def start(self, rng: np.random.Generator | None = None) -> None:
        """Connect to Ray, create the weight store and the actors, publish weights, queue the first calls."""
        if self._actors:
            return
        if rng is not None:
            self._rng = np.random.default_rng(int(rng.integers(2**63)))
        if not ray.is_initialized():
            kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": True}
            if self.config.address is not None:
                kwargs["address"] = self.config.address
            elif self.config.num_cpus is not None:
                kwargs["num_cpus"] = self.config.num_cpus
            ray.init(**kwargs)
            self._started_ray = True
        self._store = remote_store()
        self._version = -1
        self._publish()
        self._run_config = config_to_json(self.run_config)
        for slot in range(self.config.workers):
            self._actors.append(self._new_actor(slot))
            self._generation.append(0)
        for slot in range(self.config.workers):
            self._fill(slot)
        if self.progress:
            cpus = ray.cluster_resources().get("CPU", 0.0)
            where = f"cluster {self.config.address}" if self.config.address else "local Ray instance"
            print(f"distributed self-play: {self.config.workers} Ray actor(s), weights v{self._version}, "
                  f"{where} with {cpus:.0f} CPUs", file=sys.stderr)

    def close(self) -> None:
        """Stop the actors (games in flight are lost) and the Ray instance this object started."""
        for actor in self._actors + ([self._store] if self._store is not None else []):
            try:
                ray.kill(actor, no_restart=True)
            except Exception:  # noqa: BLE001 - already gone
                pass
        self._actors, self._generation, self._pending, self._store, self._weights = [], [], {}, None, []
        if self._started_ray and ray.is_initialized():
            ray.shutdown()
        self._started_ray = False

    # ------------------------------------------------------------------ the backend interface

    def play(self, num_games: int, rng: np.random.Generator,
             on_game: Callable[[int], None] | None = None) -> tuple[list[Position], DistributedStats]:
        """At least ``num_games`` games from the actors: every call that finished since the last
        iteration (within the weight lag), then more as they finish; whole calls are kept."""
        self.start(rng)
        self._publish()
        stats = DistributedStats(workers=self.config.workers, version=self._version)
        positions: list[Position] = []
        start = last_result = time.perf_counter()
        warned = False
        if self._pending:  # everything finished while the learner trained, oldest first
            ready, _ = ray.wait(list(self._pending), num_returns=len(self._pending), timeout=0)
            for ref in ready:
                result = self._collect(ref)
                if result is not None:
                    self._accept(result, stats, positions, on_game)
        while stats.games < num_games:
            ready, _ = ray.wait(list(self._pending), num_returns=1, timeout=1.0)
            now = time.perf_counter()
            if not ready:
                if not warned and now - last_result > self.config.stall_warning_s:
                    print(f"az_pz.distributed: no self-play result for {now - last_result:.0f}s "
                          f"({len(self._pending)} calls queued on {len(self._actors)} actors); does the Ray "
                          f"cluster have {self.config.workers} free CPUs? ray status shows it.", file=sys.stderr)
                    warned = True
                continue
            last_result = now
            result = self._collect(ready[0])
            if result is not None:
                self._accept(result, stats, positions, on_game)
        self._lower_resign_threshold(self.selfplay_config.resign_target_false_positive_rate)
        stats.restarts = self.restarts
        stats.wait_seconds = stats.seconds = time.perf_counter() - start
        stats.resign_playouts, stats.resign_false_positives = self.resign_playouts, self.resign_false_positives
        self.plays += 1
        if self.progress:
            from tqdm.auto import tqdm

            tqdm.write(stats.progress_line())
        return positions, stats

    # ------------------------------------------------------------------ internals

    def _new_actor(self, slot: int) -> Any:
        return remote_worker(self._run_config, slot, self._store, games_per_task=self.config.games_per_task,
                             torch_threads=self.config.torch_threads)

    def _publish(self) -> None:
        """Put the network's weights in the object store as version ``plays`` (once per version)."""
        version = self.plays
        if version == self._version:
            return
        network_json = config_to_json(self.run_config)["network"]
        data = model_to_bytes(self.network, self.spec, network_json)
        self._weights = [ray.put(data)]
        self._version = version
        try:
            ray.get(self._store.publish.remote(version, self._weights, {"resign_threshold": self.resign_threshold}))
        except _LOST:
            self._store = remote_store()  # calls carry their fallback weights meanwhile
            ray.get(self._store.publish.remote(version, self._weights, {"resign_threshold": self.resign_threshold}))

    def _fill(self, slot: int) -> None:
        """Queue calls on ``slot``'s actor until it has ``tasks_in_flight`` of them."""
        generation = self._generation[slot]
        queued = sum(1 for s, g in self._pending.values() if s == slot and g == generation)
        for _ in range(self.config.tasks_in_flight - queued):
            seed = int(self._rng.integers(2**63))
            ref = self._actors[slot].play.remote(self.config.games_per_task, seed, self._version, self._weights)
            self._pending[ref] = (slot, generation)

    def _collect(self, ref: Any) -> dict[str, Any] | None:
        """The result of a finished call, or None when its actor died (then recreated and refilled)."""
        slot, generation = self._pending.pop(ref)
        try:
            result = ray.get(ref)
        except _LOST as error:
            if generation == self._generation[slot]:
                self._restart(slot, error)
            return None
        if generation == self._generation[slot]:
            self._fill(slot)
        return result

    def _restart(self, slot: int, error: BaseException) -> None:
        self.restarts += 1
        if self.restarts > self.config.max_restarts:
            raise RuntimeError(f"self-play actors died {self.restarts} times (more than distributed.max_restarts="
                               f"{self.config.max_restarts}); last error: {error}") from error
        try:
            ray.kill(self._actors[slot], no_restart=True)
        except Exception:  # noqa: BLE001 - already gone
            pass
        print(f"az_pz.distributed: self-play worker {slot} died ({type(error).__name__}); restarting it",
              file=sys.stderr)
        self._actors[slot] = self._new_actor(slot)
        self._generation[slot] += 1
        self._fill(slot)

    def _accept(self, result: dict[str, Any], stats: DistributedStats, positions: list[Position],
                on_game: Callable[[int], None] | None) -> None:
        lag = self._version - int(result["version"])
        if lag > self.config.max_weight_lag:
            stats.dropped_games += int(result["games"])
            return
        games = int(result["games"])
        positions.extend(unpack_positions(result, self.spec))
        merge_result(stats, self, result)
        stats.add_call(result, lag)
        if on_game is not None:
            for k in range(games):
                on_game(stats.games - games + k + 1)
