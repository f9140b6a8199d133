"""Games by name: ``make_task("connect_four_v3")`` and the registry behind it.

A name is a PettingZoo module name (``connect_four_v3``) or a PettingZoo
registry id (``classic/connect_four-v3``); both resolve to one canonical
module name. ``make_task`` returns the fast native task where one is
registered and the generic PettingZoo adapter otherwise; ``backend="pettingzoo"``
forces the adapter.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from az_pz.adapters.games import GAMES, game_card
from az_pz.task import Task

TaskFactory = Callable[..., Task]

_FAST_TASKS: dict[str, TaskFactory] = {}
"""Canonical game name -> factory of a fast task registered in this process (:func:`register_fast_task`)."""

CLASSIC_GAMES = tuple(GAMES)
"""The PettingZoo classic games az_pz supports with presets and fast tasks (the table in
:mod:`az_pz.adapters.games`)."""

_REGISTRY_ID = re.compile(r"^(?P<family>[a-z_]+)/(?P<base>[a-z_0-9]+?)-v(?P<version>\d+)$")


def canonical_name(name: str) -> str:
    """``"classic/connect_four-v3"`` or ``"connect_four_v3"`` -> ``"connect_four_v3"``."""
    match = _REGISTRY_ID.match(name)
    if match:
        return f"{match['base']}_v{match['version']}"
    return name


def registry_id(name: str) -> str:
    """``"connect_four_v3"`` -> ``"classic/connect_four-v3"`` (PettingZoo's registry id)."""
    name = canonical_name(name)
    base, _, version = name.rpartition("_v")
    family = _family_of(name)
    return f"{family}/{base}-v{version}"


def _family_of(name: str) -> str:
    import importlib

    for family in ("classic", "butterfly", "atari", "mpe", "sisl", "magent"):
        try:
            importlib.import_module(f"pettingzoo.{family}.{name}")
        except ImportError:
            continue
        return family
    raise unknown_game_error(name)


def unknown_game_error(name: str) -> ValueError:
    """The error for a game PettingZoo does not have; an older (deprecated, removed) or unknown version of an
    env it has is named as such, with the installed version to use."""
    other = _other_version(name)
    if other is not None:
        import pettingzoo

        base, _, version = name.rpartition("_v")
        installed = other[1].rpartition("_v")[2]
        word = "a deprecated PettingZoo env, removed" if int(version) < int(installed) else "not a version of the env"
        return ValueError(f"{name} is {word} in the installed PettingZoo {pettingzoo.__version__}: use "
                          f"{other[1]} (registry id {other[0]}/{base}-v{installed})")
    return ValueError(
        f"unknown PettingZoo game {name!r}: expected a module name like 'connect_four_v3' "
        "or a registry id like 'classic/connect_four-v3'"
    )


def _other_version(name: str) -> tuple[str, str] | None:
    """``(family, module)`` of the installed version of ``name``'s env when ``name`` names another version
    (``connect_four_v2`` -> ``("classic", "connect_four_v3")``), else None."""
    import importlib
    import pkgutil

    base, sep, version = name.rpartition("_v")
    if not sep or not version.isdigit() or not base:
        return None
    for family in ("classic", "butterfly", "atari", "mpe", "sisl", "magent"):
        try:
            package = importlib.import_module(f"pettingzoo.{family}")
        except ImportError:
            continue
        for module in pkgutil.iter_modules(package.__path__):
            other_base, other_sep, other_version = module.name.rpartition("_v")
            if other_sep and other_base == base and other_version.isdigit():
                return family, module.name
    return None


MAX_FILE_BOARD_SIZE = 1000
"""Largest ``*size`` env kwarg (``board_size``) read from a file."""
_OPENSPIEL_NAME = re.compile(r"^openspiel:[a-z][a-z0-9_]*$")


def known_game(name: Any, source: str) -> str:
    """A game name read from a file (``source``: which file and field), checked to be data, never code.

    The name must be a game az_pz knows (the classic games, fast tasks registered in this process), a
    PettingZoo registry id or its module-name form (``classic/connect_four-v3``, ``connect_four_v3``: looked
    up in ``pettingzoo.aec_registry``), or ``openspiel:GAME``. A dotted module path, which ``make_task``
    would import for a name typed in code, is refused: importing a module runs its code. Returns ``name``.

    Raises:
        ValueError: naming the file, the name and how to load a run of your own game (pass its task in code).
    """
    if isinstance(name, str) and name:
        game = canonical_name(name)
        if game in GAMES or game in _FAST_TASKS or _OPENSPIEL_NAME.match(name):
            return name
        if "." not in name and (name in _pettingzoo_ids() or game in _pettingzoo_ids().values()):
            return name
    raise ValueError(
        f"{source} names the game {str(name)[:80]!r}, which is neither a game az_pz knows ({', '.join(CLASSIC_GAMES)}) "
        "nor a PettingZoo registry id: a name read from a file is never imported. If the run plays your own "
        "game, build its task in code and pass it (AlphaZeroAgent.load(path, task=...), Trainer.resume(run, task=...))."
    )


def task_from_file(name: Any, env_kwargs: Any, source: str) -> Task:
    """``make_task`` for a game named in a file: the name checked by :func:`known_game` (never imported),
    the env kwargs plain values (numbers, strings, booleans). Raises ``ValueError`` naming ``source``."""
    name = known_game(name, f"{source} (game)")
    if not isinstance(env_kwargs, dict) or not all(
            isinstance(key, str) and (value is None or isinstance(value, (bool, int, float, str)))
            for key, value in env_kwargs.items()):
        raise ValueError(f"{source}: env_kwargs must map names to numbers, strings or booleans, "
                         f"got {str(env_kwargs)[:80]}")
    for key, value in env_kwargs.items():  # a board size allocates its square before any spec can be checked
        if key.endswith("size") and isinstance(value, (int, float)) and not 1 <= value <= MAX_FILE_BOARD_SIZE:
            raise ValueError(f"{source}: env_kwargs.{key} = {value} is out of bounds (1..{MAX_FILE_BOARD_SIZE})")
    return make_task(name, **env_kwargs)


def _pettingzoo_ids() -> dict[str, str]:
    """PettingZoo's AEC registry: id -> module-name form (``classic/go-v5`` -> ``go_v5``)."""
    import pettingzoo

    return {env_id: canonical_name(env_id) for env_id in getattr(pettingzoo, "aec_registry", {})}


def register_fast_task(name: str, factory: TaskFactory) -> None:
    """Register the fast native task of a game in this process (it takes precedence over the table in
    :mod:`az_pz.adapters.games`; a game shipped with az_pz is a package there and one line in its table)."""
    _FAST_TASKS[canonical_name(name)] = factory


def make_task(name: str, *, backend: str = "auto", **env_kwargs: Any) -> Task:
    """The Task for a game by name, with the env's keyword arguments.

    Args:
        name: ``"connect_four_v3"`` or ``"classic/connect_four-v3"``; ``"openspiel:othello"`` for
            OpenSpiel's games through Shimmy (needs ``az_pz[openspiel]``, see ``docs/openspiel.md``).
        backend: ``"auto"`` (fast native task where one exists), ``"fast"``
            (fail if there is none) or ``"pettingzoo"`` (the generic adapter).
        **env_kwargs: passed to the env, e.g. ``board_size=9, komi=7.5`` for go; an OpenSpiel game's
            parameters (``board_size=5`` for hex). ``observation_layout="chw" | "hwc" | "flat"`` and
            ``to_play_plane=True`` are the adapter's own (how observations are laid out, and a plane telling
            the seat to move; see ``docs/adapters.md``), not the env's.
    """
    if backend not in ("auto", "fast", "pettingzoo"):
        raise ValueError(f"backend must be 'auto', 'fast' or 'pettingzoo', got {backend!r}")
    if isinstance(name, str) and name.startswith("openspiel:"):
        return _openspiel_task(name, backend, env_kwargs)
    if env_kwargs.get("observation_layout") is not None or env_kwargs.get("to_play_plane"):  # the adapter's options
        if backend == "fast":
            raise ValueError("observation_layout and to_play_plane are options of the generic adapter "
                             "(backend='pettingzoo'); fast tasks read their env's observations themselves")
        backend = "pettingzoo"
    game = canonical_name(name)
    if backend != "pettingzoo":
        factory = _fast_factory(game)
        if factory is not None:
            return factory(**env_kwargs)
        if backend == "fast":
            raise ValueError(f"no fast native task for {game!r}; fast tasks exist for "
                             f"{sorted(set(GAMES) | set(_FAST_TASKS))}")
    from az_pz.adapters import PettingZooTask

    return PettingZooTask.from_name(game, **env_kwargs)


def make_aec_env(game: str, render_mode: str | None = None, **env_kwargs: Any) -> Any:
    """A fresh PettingZoo AEC env by game name (``"connect_four_v3"`` or ``"classic/connect_four-v3"``;
    ``"openspiel:othello"`` gives Shimmy's env of OpenSpiel's game, ``env_kwargs`` its parameters)."""
    import pettingzoo

    if game.startswith("openspiel:"):
        from az_pz.adapters.openspiel import make_env

        for option in ("observation_layout", "to_play_plane"):  # the adapter's options, not the game's
            env_kwargs.pop(option, None)
        return make_env(game, env_kwargs, render_mode=render_mode)

    if render_mode is not None:
        env_kwargs["render_mode"] = render_mode
    return pettingzoo.make("aec", registry_id(game), **env_kwargs)


def _openspiel_task(name: str, backend: str, env_kwargs: dict[str, Any]) -> Task:
    """OpenSpiel's game ``name``: the native task on ``pyspiel`` states, or (``backend="pettingzoo"``) the
    generic adapter on Shimmy's env; both have the same spec."""
    if backend == "pettingzoo":
        from az_pz.adapters.openspiel import shimmy_task

        return shimmy_task(name, **env_kwargs)
    from az_pz.adapters.openspiel_task import OpenSpielTask

    return OpenSpielTask(name, **env_kwargs)


def _fast_factory(game: str) -> TaskFactory | None:
    if game in _FAST_TASKS:
        return _FAST_TASKS[game]
    card = game_card(game)
    return card.make_task if card is not None else None
