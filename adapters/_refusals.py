"""Environments AlphaZero cannot serve, and the checks that refuse them when a task is built.

AlphaZero plans by simulating the game from the true current state. That is
wrong for games with hidden information (the search would read the opponents'
cards) or with chance the env draws inside ``step`` (a cloned env replays the
same dice, so the search would plan against a future it cannot know), and
undefined for simultaneous moves (there is no single player to move). Such
games get a clear error instead of a silently wrong agent.
"""

from __future__ import annotations

import re
from typing import Any

from pettingzoo.utils.env import AECEnv, ParallelEnv


class UnsupportedEnvironmentError(ValueError):
    """Raised when an environment is of a kind AlphaZero cannot serve (the message says why)."""


_HIDDEN = "it has hidden information (cards the other players cannot see) and chance the env draws itself"
REFUSED_GAMES: dict[str, str] = {
    "texas_holdem": _HIDDEN,
    "texas_holdem_no_limit": _HIDDEN,
    "leduc_holdem": _HIDDEN,
    "gin_rummy": _HIDDEN,
    "hanabi": "it has hidden information (each player's own hand) and a shuffled deck the env draws from",
    "rps": "its moves are simultaneous (both players choose at once), so there is no single player to move",
}
"""Game base name (no version) -> why AlphaZero cannot serve it."""

_VERSIONED = re.compile(r"^(?P<base>.+?)(?:_v\d+|-v\d+)?$")


def _base_name(name: str) -> str:
    name = name.rsplit("/", 1)[-1]
    return _VERSIONED.match(name)["base"]


def refusal_reason(name: str) -> str | None:
    """Why the game ``name`` (``"texas_holdem_v4"``, ``"classic/rps-v2"``) is refused, or None."""
    return REFUSED_GAMES.get(_base_name(name))


def refuse_name(name: str) -> None:
    """Raise :class:`UnsupportedEnvironmentError` if ``name`` is a refused game."""
    reason = refusal_reason(name)
    if reason is not None:
        raise UnsupportedEnvironmentError(f"az_pz cannot play {name!r}: {reason}. {_ADVICE}")


_ADVICE = (
    "AlphaZero needs a turn-based game of perfect information whose step is deterministic "
    "given the state (chance, if any, must be visible to the search)."
)


def check_env(env: Any) -> None:
    """Refuse anything that is not a turn-based AEC env of a game AlphaZero can serve.

    Raises:
        TypeError: ``env`` is a ParallelEnv or not a PettingZoo env at all.
        UnsupportedEnvironmentError: a refused game (hidden information, chance,
            simultaneous moves; for Shimmy's OpenSpiel envs, read from the game's type),
            or an AEC env converted from a parallel one.
    """
    if isinstance(env, ParallelEnv) or type(env).__name__ == "aec_to_parallel_wrapper":
        raise TypeError(
            "az_pz needs an AEC env (turn-based), got a ParallelEnv "
            f"({type(env).__name__}): use the game's AEC API, e.g. pettingzoo.make('aec', ...) or <game>.env(); "
            "a game whose moves are truly simultaneous cannot be served"
        )
    if not isinstance(env, AECEnv):
        raise TypeError(
            f"az_pz needs a PettingZoo AEC env (pettingzoo.AECEnv), got {type(env).__name__}: "
            "pass a function returning a fresh env, e.g. connect_four_v3.env"
        )
    raw = env.unwrapped
    if type(raw).__name__ == "parallel_to_aec_wrapper":
        raise UnsupportedEnvironmentError(
            f"az_pz cannot play {_env_name(env)!r}: it is a parallel env seen through the AEC API, so its "
            f"moves are simultaneous and there is no single player to move. {_ADVICE}"
        )
    from az_pz.adapters.openspiel import check_shimmy_env, is_openspiel_env

    if is_openspiel_env(raw):  # one class for every OpenSpiel game: judged on the game it loaded
        check_shimmy_env(raw)
        return
    refuse_name(_env_name(env))


def _env_name(env: Any) -> str:
    metadata = getattr(env.unwrapped, "metadata", None) or getattr(env, "metadata", None) or {}
    return str(metadata.get("name") or type(env.unwrapped).__name__)
