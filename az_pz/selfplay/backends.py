"""Where self-play runs: one interface, three backends, chosen by ``selfplay.backend``.

* ``inline``: :class:`~az_pz.selfplay.loop.SelfPlay` in the training process, every game batched through one
  search (fastest on a few cores);
* ``processes``: ``selfplay.workers`` spawn-ed processes on this machine (:mod:`az_pz.selfplay.processes`);
* ``ray``: ``selfplay.workers`` Ray actors on one machine or a cluster (:mod:`az_pz.distributed`, the
  ``ray`` extra); its deployment options (cluster address, weight lag, ...) come as a
  :class:`~az_pz.distributed.DistributedConfig`.

A backend is built around the learner's network and plays with its current weights:

    play(num_games, rng, on_game=None) -> (positions, SelfPlayStats)
    state_dict() / load_state_dict(state)      # the resignation threshold and its checks (ResignState)
    close()                                    # stops workers; a later play() starts them again

The worker backends speak one job format (:mod:`az_pz.selfplay.jobs`) and merge their results with
:func:`az_pz.selfplay.stats.merge_result`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

import numpy as np

from az_pz.selfplay.stats import Position, SelfPlayStats

__all__ = ["BACKENDS", "SelfPlayBackend", "make_backend"]

BACKENDS = ("inline", "processes", "ray")


class SelfPlayBackend(Protocol):
    """What the trainer needs of self-play (see the module docstring)."""

    resign_threshold: float | None

    def play(self, num_games: int, rng: np.random.Generator,
             on_game: Any = None) -> tuple[list[Position], SelfPlayStats]: ...

    def state_dict(self) -> dict[str, Any]: ...

    def load_state_dict(self, state: dict[str, Any]) -> None: ...

    def close(self) -> None: ...


def make_backend(config: Any, task: Any, network: Any, evaluator: Any, run_dir: str | Path, *,
                 ray: Any = None, progress: bool = False) -> SelfPlayBackend:
    """The backend ``config.selfplay.backend`` names, for ``network`` (a worker backend publishes its weights
    every :meth:`play`; ``inline`` searches through ``evaluator``, which wraps it). ``ray`` is a
    :class:`~az_pz.distributed.DistributedConfig` (default: ``selfplay.workers`` actors on a local Ray)."""
    kind = config.selfplay.backend
    if kind == "inline":
        from az_pz.selfplay.loop import SelfPlay

        return SelfPlay(task, evaluator, config.search, config.selfplay)
    _check_named_task(config, task)
    if kind == "processes":
        from az_pz.selfplay.processes import ProcessSelfPlay

        return ProcessSelfPlay(config, task.spec, network, run_dir)
    from az_pz.distributed import DistributedConfig, ray_backend

    options = ray if ray is not None else DistributedConfig(backend="ray", workers=config.selfplay.workers)
    return ray_backend(config, task.spec, network, options, progress=progress)


def _check_named_task(config: Any, task: Any) -> None:
    """Workers build the game by name: a custom task object they cannot rebuild is refused up front."""
    from az_pz.games import make_task

    try:
        named = make_task(config.game, **config.env_kwargs).spec
    except Exception as error:  # noqa: BLE001 - a custom task make_task cannot build
        named = error
    if named != task.spec:
        raise ValueError(f"selfplay.backend {config.selfplay.backend!r} needs a game that make_task builds by name; "
                         f"{config.game!r} gives {named!r}. Use selfplay.backend 'inline' for custom tasks.")
