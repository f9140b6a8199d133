"""Finding and making PettingZoo envs by name, and telling whether a live env plays a task's game.

``"connect_four_v3"`` is looked up in each env family and made with the module's ``env()``; a registry id
(``"classic/connect_four-v3"``) is made with ``pettingzoo.make("aec", ...)``.
"""

from __future__ import annotations

import warnings
from typing import Any

from pettingzoo.utils.env import AECEnv
from pettingzoo.utils.wrappers import OrderEnforcingWrapper

from az_pz.adapters.cloneable import CloneableEnv

_FAMILIES = ("classic", "butterfly", "atari", "mpe", "sisl", "magent")


def check_live_env(env: Any, raw_type: type, game: str | None) -> None:
    """Raise unless ``env`` is a reset AEC env of the raw class ``raw_type`` playing ``game`` (see :func:`game_id`)."""
    if not isinstance(env, AECEnv):
        raise TypeError(f"state_from_env needs a PettingZoo AEC env, got {type(env).__name__}")
    if type(env.unwrapped) is not raw_type:
        raise ValueError(f"this task plays {raw_type.__module__}, got a {type(env.unwrapped).__module__} env")
    if game_id(env.unwrapped) != game:
        raise ValueError(f"this task plays {game}, got an env of {game_id(env.unwrapped)}")
    outer = env
    while isinstance(outer, OrderEnforcingWrapper) or isinstance(outer, CloneableEnv):
        if isinstance(outer, OrderEnforcingWrapper) and not outer._has_reset:
            raise ValueError("the env has not been reset: call env.reset() first")
        outer = outer.env
    if env.unwrapped.__dict__.get("_cumulative_rewards") is None:
        raise ValueError("the env has not been reset: call env.reset() first")


def game_id(raw: Any) -> str | None:
    """What tells games of one env class apart: the loaded game of Shimmy's OpenSpiel env (``hex(board_size=5)``)."""
    from az_pz.adapters.openspiel import is_openspiel_env

    return str(raw._env) if is_openspiel_env(raw) and "_env" in raw.__dict__ else None


def import_game(name: str) -> Any:
    """The PettingZoo module of a game: ``"connect_four_v3"`` is looked up in each env family."""
    import importlib.util

    candidates = [name] if "." in name else [f"pettingzoo.{family}.{name}" for family in _FAMILIES]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        for path in candidates:
            try:
                found = importlib.util.find_spec(path)
            except ImportError:  # the family itself is absent or moved out (pettingzoo.mpe)
                continue
            if found is not None:
                return importlib.import_module(path)
    from az_pz.games import unknown_game_error  # names an old (deprecated) version of an env as such

    raise unknown_game_error(name)


def make_from_module(module: Any, env_kwargs: dict[str, Any], **kwargs: Any) -> AECEnv:
    """A fresh env from a game module's ``env()`` (its deprecation warnings silenced)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return module.env(**env_kwargs, **kwargs)


def make_registered(registry_id: str, env_kwargs: dict[str, Any], **kwargs: Any) -> AECEnv:
    """A fresh env from the PettingZoo registry; an unknown id is a ValueError naming it."""
    import pettingzoo

    try:
        return pettingzoo.make("aec", registry_id, **env_kwargs, **kwargs)
    except Exception as error:
        if type(error).__name__.startswith("PettingZooRegistry") or "not found" in str(error).lower():
            raise ValueError(f"unknown PettingZoo registry id {registry_id!r}: {error}") from error
        raise
