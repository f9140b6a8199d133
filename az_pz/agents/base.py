"""The Agent interface every player in az_pz has, and helpers to read a live env.

An agent plays inside an ordinary PettingZoo AEC loop::

    for name in env.agent_iter():
        observation, reward, termination, truncation, info = env.last()
        action = None if termination or truncation else agent.act(env)
        env.step(action)

``act(env)`` chooses for ``env.agent_selection`` and returns a Python ``int``
that is legal in the current position; ``reset()`` says a new game starts
(trees, engine processes' positions and other per-game memory are dropped).
Agents that draw random numbers also offer ``seed(seed)`` so arenas and
Gymnasium views can make whole games reproducible.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Agent(Protocol):
    """A player of PettingZoo AEC games (random, MCTS, SB3 model, engine, human, AlphaZero)."""

    def act(self, env: Any) -> int:
        """A legal action (Python ``int``) for ``env.agent_selection`` in the live env; the env is not changed."""
        ...

    def reset(self) -> None:
        """A new game starts: forget per-game state."""
        ...


def seed_agent(agent: Any, seed: int | None) -> None:
    """Reseed ``agent`` if it draws random numbers (it has a ``seed`` method); no-op otherwise."""
    seed_fn = getattr(agent, "seed", None)
    if callable(seed_fn):
        seed_fn(seed)


def legal_mask(env: Any) -> np.ndarray:
    """bool ``[num_actions]`` of the agent to move: ``observation["action_mask"]`` or ``info["action_mask"]``."""
    name = env.agent_selection
    observation = env.observe(name)
    if isinstance(observation, dict) and "action_mask" in observation:
        return np.asarray(observation["action_mask"]).astype(bool)
    info = env.infos.get(name, {}) if hasattr(env, "infos") else {}
    if "action_mask" in info:
        return np.asarray(info["action_mask"]).astype(bool)
    raise ValueError(
        f"the env gives no action mask for {name!r} (neither observation['action_mask'] nor info['action_mask'])"
    )


def seat_of(env: Any) -> int:
    """Seat (index in ``env.possible_agents``) of the agent to move."""
    return list(env.possible_agents).index(env.agent_selection)


def game_name(env: Any) -> str:
    """Canonical game name of a live env, e.g. ``"connect_four_v3"`` (from its metadata), or
    ``"openspiel:othello"`` for Shimmy's OpenSpiel env (one class, and one metadata name, for every game)."""
    from az_pz.adapters.openspiel import env_game, is_openspiel_env

    if is_openspiel_env(env.unwrapped):
        return env_game(env.unwrapped)[0]
    return str(env.unwrapped.metadata["name"])


def env_kwargs_of(env: Any) -> dict[str, Any]:
    """Keyword arguments that recreate the live env's game (go's board size and komi; an OpenSpiel game's
    parameters)."""
    raw = env.unwrapped
    from az_pz.adapters.openspiel import env_game, is_openspiel_env

    if is_openspiel_env(raw):
        return env_game(raw)[1]
    from az_pz.adapters.games import game_card

    card = game_card(game_name(env))
    read = card.env_kwargs_of if card is not None else None  # go: board size and komi
    return read(raw) if read is not None else {}


def require_game(env: Any, prefix: str, who: str) -> Any:
    """``env.unwrapped`` if ``env`` is a live AEC env whose game name starts with ``prefix`` (``"chess_"``).

    Engines read the game's own objects (``board``, ``_go``); another game would fail deep inside
    them, so the mismatch is named here instead.
    """
    if not hasattr(env, "agent_selection"):
        raise TypeError(f"{who} plays live PettingZoo AEC envs, got {type(env).__name__} (a parallel env? "
                        f"use pettingzoo.make('aec', ...) or <game>_vN.env())")
    name = str(getattr(env.unwrapped, "metadata", {}).get("name", type(env.unwrapped).__name__))
    if not name.startswith(prefix):
        raise ValueError(f"{who} plays {prefix.rstrip('_')} only, not {name!r}")
    return env.unwrapped


def check_legal(env: Any, action: int, who: str) -> int:
    """Return ``int(action)`` if legal for the agent to move; raise a ValueError naming ``who`` otherwise."""
    mask = legal_mask(env)
    action = int(action)
    if not 0 <= action < mask.shape[0] or not mask[action]:
        raise ValueError(f"{who} chose illegal action {action} for {env.agent_selection!r}")
    return action
