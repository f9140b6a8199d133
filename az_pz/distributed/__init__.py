"""Distributed self-play on Ray: many CPU workers (on one machine or a cluster) feed one learner.

The ``ray`` self-play backend (:mod:`az_pz.selfplay.backends`), chosen by the run config:

    from az_pz.config import preset
    from az_pz.train import Trainer

    config = preset("connect_four_v3", selfplay__backend="ray", selfplay__workers=8)
    Trainer(config, run_dir="runs/c4").learn()

Cluster options (address, weight lag, games per call) are a deployment setting, :class:`DistributedConfig`:
``Trainer(config, ray=DistributedConfig(backend="ray", workers=8, address="auto"))``, or for a trainer
already built, the shorthand ``distribute(trainer, DistributedConfig(...))``. The command line:
``az-pz train connect_four_v3 --distributed ray [--ray-address auto] --workers 8`` (the same as
``--selfplay.backend ray --selfplay.workers 8``). Ray is an optional extra (``pip install "az_pz[ray]"``),
imported only when the ``ray`` backend is used: importing this package does not import it.
"""

from __future__ import annotations

from typing import Any

from az_pz.distributed.config import DistributedConfig, add_cli_arguments, config_from_cli

__all__ = ["DistributedConfig", "add_cli_arguments", "config_from_cli", "distribute", "ray_backend"]


def distribute(trainer: Any, config: DistributedConfig) -> Any:
    """Make ``trainer`` (an :class:`az_pz.train.Trainer`) play its self-play games as ``config`` says.

    ``backend="local"`` leaves it unchanged. ``backend="ray"`` is the shorthand for the run config's
    ``selfplay.backend = "ray"`` and ``selfplay.workers = config.workers``: the trainer switches its own
    self-play backend (:meth:`~az_pz.train.Trainer.use_selfplay`), keeping its resignation state, and saves
    the choice with the run. Ray starts on the first iteration and the actors stop with ``trainer.close()``
    (called at the end of ``learn``). Returns ``trainer``.
    """
    if config.backend == "local":
        return trainer
    trainer.use_selfplay("ray", config.workers, ray=config)
    return trainer


def ray_backend(run_config: Any, spec: Any, network: Any, config: DistributedConfig, *, progress: bool = False) -> Any:
    """A :class:`~az_pz.distributed.coordinator.RaySelfPlay` (imports Ray; a clear error without it)."""
    try:
        import ray  # noqa: F401
    except ImportError as error:
        raise ImportError("selfplay.backend 'ray' needs Ray: pip install 'az_pz[ray]' (or use --selfplay.backend "
                          "inline)") from error
    from az_pz.distributed.coordinator import RaySelfPlay

    return RaySelfPlay(run_config, spec, network, config, progress=progress)
