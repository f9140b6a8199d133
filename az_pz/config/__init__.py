"""Typed configuration: nested frozen dataclasses, and the presets the game packages hold.

A run is described by one :class:`RunConfig` holding a section per concern
(network, search, self-play, training, evaluation). Every field says what it
does and, where there is one, the value the papers used (AlphaGo Zero, Silver
et al. 2017; AlphaZero, Silver et al. 2018; KataGo, Wu 2019). The command line
maps 1:1 onto these fields (``--search.num-simulations 64``) and holds no logic.

``preset(game, **overrides)`` gives a sensible starting point per game, sized
for a few CPU cores unless a GPU variant is asked for.

Every name is importable from here: the schema (:mod:`az_pz.config.schema`), its helpers
:mod:`az_pz.config.convert` (``config_to_json``, ``config_from_json``, ``replace_nested``) and
:mod:`az_pz.config.presets` (``preset``, ``PRESETS``), and ``lr_factor`` (:mod:`az_pz.schedule`, its home).
"""

from az_pz.config.convert import config_from_json, config_to_json, replace_nested
from az_pz.config.presets import PRESETS, preset
from az_pz.config.schema import (ArenaConfig, EnvKwarg, EvalConfig, NetworkConfig, RunConfig, SearchConfig,
                                 SelfPlayConfig, TrainConfig)
from az_pz.games import canonical_name  # noqa: F401  (imported from here by callers)
from az_pz.schedule import lr_factor

__all__ = [
    "ArenaConfig",
    "EnvKwarg",
    "EvalConfig",
    "NetworkConfig",
    "PRESETS",
    "RunConfig",
    "SearchConfig",
    "SelfPlayConfig",
    "TrainConfig",
    "config_from_json",
    "config_to_json",
    "lr_factor",
    "preset",
    "replace_nested",
]
