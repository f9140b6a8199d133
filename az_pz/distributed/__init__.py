"""Distributed self-play on Ray: many CPU workers (on one machine or a cluster) feed one learner.

    from az_pz.config import preset
    from az_pz.distributed import DistributedConfig, distribute
    from az_pz.train import Trainer

    trainer = distribute(Trainer(preset("connect_four_v3"), run_dir="runs/c4"),
                         DistributedConfig(backend="ray", workers=8, address="auto"))
    trainer.learn()

The command line: ``az-pz train connect_four_v3 --distributed ray [--ray-address auto] --workers 8``.
Ray is an optional extra (``pip install "az_pz[ray]"``), imported only when the ``ray`` backend
is used: importing this package does not import it.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from az_pz.distributed.config import DistributedConfig, add_cli_arguments, config_from_cli

__all__ = ["DistributedConfig", "add_cli_arguments", "config_from_cli", "distribute"]


def distribute(trainer: Any, config: DistributedConfig) -> Any:
    """Make ``trainer`` (an :class:`az_pz.train.Trainer`) play its self-play games as ``config`` says.

    ``backend="local"`` leaves it unchanged. ``backend="ray"`` replaces ``trainer.selfplay`` with a
    :class:`az_pz.distributed.coordinator.RaySelfPlay` that keeps its resignation state (and turns off
    ``selfplay.num_workers``, the local process pool, for this process only); the run
    directory, checkpoints, metrics and resume stay the trainer's. Ray starts on the first iteration
    and the actors stop with ``trainer.close()`` (called at the end of ``learn``). Returns ``trainer``.
    """
    if config.backend == "local":
        return trainer
    try:
        import ray  # noqa: F401
    except ImportError as error:
        raise ImportError("distributed self-play needs Ray: pip install 'az_pz[ray]'") from error
    from az_pz.distributed.coordinator import RaySelfPlay

    if trainer.config.selfplay.num_workers:  # the Ray actors replace the local process pool
        trainer.config = dataclasses.replace(
            trainer.config, selfplay=dataclasses.replace(trainer.config.selfplay, num_workers=0))
    state = trainer.selfplay.state_dict()
    trainer.selfplay = RaySelfPlay(trainer, config)
    trainer.selfplay.load_state_dict(state)
    return trainer
