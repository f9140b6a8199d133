"""Where self-play runs: in the training process (``local``) or in Ray actors (``ray``).

:class:`DistributedConfig` is a deployment setting, like the device: it is not part of a run's
``config.json``, so a run started on a cluster can be resumed on a laptop and the other way round
(the learner's checkpoint is the single source of truth). This module never imports Ray.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Literal

__all__ = ["DistributedConfig", "add_cli_arguments", "config_from_cli"]


@dataclass(frozen=True)
class DistributedConfig:
    """Self-play workers and how the learner treats their data."""

    backend: Literal["local", "ray"] = "local"
    """``local``: self-play in the training process (no Ray needed). ``ray``: ``workers`` Ray actors play
    and the learner gathers their games through Ray's object store."""
    address: str | None = None
    """Ray cluster to join: ``auto`` (the cluster started on this machine with ``ray start``) or
    ``HOST:PORT``. None starts a private local Ray instance (unless one is already initialized)."""
    workers: int = 2
    """Self-play actors, one CPU each. AlphaZero used 5000 first-generation TPUs for self-play."""
    max_weight_lag: int = 1
    """Games made with weights more than this many versions older than the learner's are dropped.
    A version is published after each training iteration, so 1 accepts games from the previous
    network (played while the learner trained); 0 accepts only games of the current network."""
    games_per_task: int = 32
    """Games per actor call (played together in one batched search). Smaller: fresher weights and
    finer load balancing; larger: bigger network batches and fewer round trips."""
    tasks_in_flight: int = 2
    """Calls queued per actor. 2 lets an actor start its next batch while the learner trains
    instead of waiting to be asked; every call pulls the newest weights when it starts."""
    num_cpus: int | None = None
    """CPUs of the private local Ray instance (None: all of this machine's). Ignored with ``address``."""
    torch_threads: int = 1
    """Torch intra-op threads per actor (each actor reserves one Ray CPU)."""
    max_restarts: int = 100
    """Dead actors (killed, out of memory, node lost) are recreated up to this many times per run;
    beyond that the run stops with an error rather than spinning."""
    stall_warning_s: float = 120.0
    """Print a warning when no self-play result has arrived for this long (e.g. the cluster has no
    free CPU for the actors)."""

    def __post_init__(self) -> None:
        checks = [
            (self.backend in ("local", "ray"), f"distributed.backend must be 'local' or 'ray', got {self.backend!r}"),
            (self.workers >= 1, f"distributed.workers must be >= 1, got {self.workers}"),
            (self.max_weight_lag >= 0, f"distributed.max_weight_lag must be >= 0, got {self.max_weight_lag}"),
            (self.games_per_task >= 1, f"distributed.games_per_task must be >= 1, got {self.games_per_task}"),
            (self.tasks_in_flight >= 1, f"distributed.tasks_in_flight must be >= 1, got {self.tasks_in_flight}"),
            (self.num_cpus is None or self.num_cpus >= 1, "distributed.num_cpus must be >= 1 or None"),
            (self.torch_threads >= 1, "distributed.torch_threads must be >= 1"),
            (self.max_restarts >= 0, "distributed.max_restarts must be >= 0"),
            (self.stall_warning_s > 0, "distributed.stall_warning_s must be > 0"),
        ]
        for ok, message in checks:
            if not ok:
                raise ValueError(message)


def add_cli_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``az-pz train`` options of this config (``--distributed ray --ray-address auto --workers 8``)."""
    default = DistributedConfig()
    group = parser.add_argument_group("distributed self-play (pip install 'az_pz[ray]')")
    group.add_argument("--distributed", choices=("local", "ray"), default="local", metavar="{local,ray}",
                       help="ray: self-play in Ray actors feeding this learner (default: local)")
    group.add_argument("--ray-address", metavar="ADDR",
                       help="join this Ray cluster (auto or HOST:PORT); default: start a local Ray instance")
    group.add_argument("--workers", type=int, default=default.workers, metavar="N", help="self-play actors")
    group.add_argument("--max-weight-lag", type=int, default=default.max_weight_lag, metavar="K",
                       help="drop games made with weights more than K versions old")
    group.add_argument("--games-per-task", type=int, default=default.games_per_task, metavar="G",
                       help="games per actor call")
    group.add_argument("--ray-num-cpus", type=int, metavar="C", help="CPUs of a local Ray instance")


def config_from_cli(args: argparse.Namespace) -> DistributedConfig:
    """The config the options of :func:`add_cli_arguments` describe."""
    return DistributedConfig(backend=args.distributed, address=args.ray_address, workers=args.workers,
                             max_weight_lag=args.max_weight_lag, games_per_task=args.games_per_task,
                             num_cpus=args.ray_num_cpus)
