"""Adapters from PettingZoo environments to az_pz Tasks (shipped as ``az_pz.adapters``).

``PettingZooTask`` wraps any turn-based AEC env of perfect information;
``CloneableEnv`` copies a live env exactly; ``OpenSpielTask`` plays OpenSpiel's games
(``make_task("openspiel:othello")``). Names are imported on first use,
so ``import az_pz.adapters`` stays cheap (no PettingZoo, no pygame).
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "PettingZooTask": "az_pz.adapters.pettingzoo",
    "EnvSnapshot": "az_pz.adapters.pettingzoo",
    "CloneableEnv": "az_pz.adapters.cloneable",
    "EnvState": "az_pz.adapters.cloneable",
    "register_cloner": "az_pz.adapters.cloneable",
    "structural_copy": "az_pz.adapters.cloneable",
    "clone_env": "az_pz.adapters.cloneable",
    "measure_clone_cost": "az_pz.adapters.clone_check",
    "check_clones": "az_pz.adapters.clone_check",
    "UnsupportedEnvironmentError": "az_pz.adapters._refusals",
    "OpenSpielTask": "az_pz.adapters.openspiel_task",
    "REFUSED_GAMES": "az_pz.adapters._refusals",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'az_pz.adapters' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
