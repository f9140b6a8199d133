"""Presets: a sensible starting config per game. The values live in each game's package
(``az_pz/adapters/games/<game>/presets.py``) as plain overrides; here they are applied and checked."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from az_pz.config.schema import RunConfig
from az_pz.config.convert import replace_nested
from az_pz.games import canonical_name

__all__ = ["PRESETS", "preset"]


def _from_overrides(game: str, make: Callable[[], dict[str, Any]]) -> Callable[[], RunConfig]:
    """A preset factory: the game package's overrides (plain data) applied to the defaults, checked here."""
    return lambda: replace_nested(RunConfig(game=game), **make())


def _game_presets() -> dict[str, Callable[[], RunConfig]]:
    """Every game package's presets (``az_pz.adapters.games.<game>.presets``), through the games table."""
    from az_pz.adapters.games import GAMES, game_part

    presets: dict[str, Callable[[], RunConfig]] = {}
    for game in GAMES:
        module = game_part(game, "presets")
        for key, make in getattr(module, "PRESETS", {}).items():
            presets[key] = _from_overrides(game, make)
    return presets


PRESETS = _game_presets()
"""Preset name -> factory. ``:gpu`` variants are sized for one CUDA device; the others for a few CPU cores. The
values live in each game's package (``az_pz/adapters/games/<game>/presets.py``)."""


def preset(game: str, *, gpu: bool = False, **overrides: Any) -> RunConfig:
    """The preset for ``game`` (any game name; other games get one sized from the game, see
    ``az_pz.generic_preset``, or the plain defaults when ``make_task`` cannot build them), with overrides.

    ``gpu=True`` picks the GPU-sized variant where one exists (chess, go). For go the board size is read from
    ``env_kwargs={"board_size": 13}`` in the overrides. Overrides follow :func:`replace_nested`.
    """
    from az_pz.adapters.games import game_part

    name = canonical_name(game)
    key = name
    presets = {**_game_presets(), **PRESETS}  # a game added to the table since import, and PRESETS as edited
    choose = getattr(game_part(name, "presets"), "preset_key", None)  # go: by board size
    if choose is not None:
        key = choose(dict(overrides.get("env_kwargs") or {}))
    if gpu and f"{key}:gpu" in presets:
        key = f"{key}:gpu"
    config = presets[key]() if key in presets else _unknown_game_preset(name, overrides)
    if (config.env_kwargs or key not in presets) and "env_kwargs" in overrides:  # keep what the preset added
        overrides = dict(overrides, env_kwargs={**config.env_kwargs, **overrides["env_kwargs"]})
    return replace_nested(dataclasses.replace(config, game=name), **overrides)


def _unknown_game_preset(name: str, overrides: dict[str, Any]) -> RunConfig:
    """A game without a preset: one sized from the game (``az_pz.generic_preset``) when ``make_task`` builds it,
    the plain defaults otherwise (a custom task given to the Trainer). OpenSpiel names must build: their
    errors (a refused game, a wrong parameter) are the user's answer."""
    from az_pz.games import make_task
    from az_pz.generic_preset import board_game_preset

    env_kwargs = dict(overrides.get("env_kwargs") or {})
    try:
        task = make_task(name, **env_kwargs)
    except (ValueError, TypeError, ImportError):
        if name.startswith("openspiel:"):
            raise
        return RunConfig(game=name)
    return board_game_preset(task, name, env_kwargs)
