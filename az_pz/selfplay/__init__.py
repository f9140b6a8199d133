"""Self-play: the game loop, one job format, and the backends that run it.

| module | what lives there |
|---|---|
| :mod:`~az_pz.selfplay.loop` | :class:`SelfPlay`, many games batched through one MCTS (also the ``inline`` backend) |
| :mod:`~az_pz.selfplay.stats` | :class:`SelfPlayStats`, :class:`ResignState`, :func:`merge_result` (the one merge) |
| :mod:`~az_pz.selfplay.jobs` | the worker job format: config JSON + weights in, packed positions + counters out |
| :mod:`~az_pz.selfplay.processes` | the ``processes`` backend (spawn-ed worker processes) |
| :mod:`~az_pz.selfplay.backends` | :func:`make_backend` (``selfplay.backend``: inline, processes, ray) |

The ``ray`` backend lives in :mod:`az_pz.distributed` (the optional Ray extra) and speaks the same job format.
"""

from az_pz.selfplay.backends import BACKENDS, SelfPlayBackend, make_backend
from az_pz.selfplay.loop import SelfPlay, augment, choose_actions
from az_pz.selfplay.stats import Position, ResignState, SelfPlayStats, merge_result

__all__ = ["BACKENDS", "Position", "ResignState", "SelfPlay", "SelfPlayBackend", "SelfPlayStats", "augment", "choose_actions",
           "make_backend", "merge_result"]
