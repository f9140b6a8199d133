"""The part of a clone that every AEC env has: its agents, reward / termination / truncation / info dicts, agent
selector and numpy RNGs (:func:`copy_aec_common`), on which a game's fast cloner copies its own state.

Kept apart from :mod:`az_pz.adapters.cloneable` so that the shipped cloners (``_classic_cloners``,
``_openspiel_cloner``) and the table in ``cloneable`` that names them import one way only.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
from pettingzoo.utils.env import AECEnv

__all__ = ["RNG_TYPES", "copy_aec_common", "copy_rng"]


def copy_rng(rng: Any) -> Any:
    """An independent generator in the same state (``np.random.Generator`` or ``RandomState``)."""
    if isinstance(rng, np.random.Generator):
        bit_generator = type(rng.bit_generator)()
        bit_generator.state = rng.bit_generator.state
        return np.random.Generator(bit_generator)
    if isinstance(rng, np.random.RandomState):
        new = np.random.RandomState()
        new.set_state(rng.get_state())
        return new
    return copy.deepcopy(rng)


RNG_TYPES = (np.random.Generator, np.random.RandomState)


def copy_aec_common(raw: AECEnv) -> AECEnv:
    """A new instance of ``type(raw)`` whose ``__dict__`` is a shallow copy of ``raw``'s, with the
    standard AEC containers copied: ``agents``, ``rewards``, ``_cumulative_rewards``,
    ``terminations``, ``truncations``, ``infos`` (one level deeper), the ``AgentSelector``
    (keeping its ``agent_order`` aliased to ``agents`` when it was), and every numpy RNG.

    Game-specific cloners then replace the game's own mutable fields (the board).
    """
    new = object.__new__(type(raw))
    state = raw.__dict__.copy()
    agents = state.get("agents")
    if agents is not None:
        state["agents"] = new_agents = list(agents)
    for key in ("rewards", "_cumulative_rewards", "terminations", "truncations"):
        value = state.get(key)
        if value is not None:
            state[key] = value.copy()
    infos = state.get("infos")
    if infos is not None:
        state["infos"] = {agent: info.copy() for agent, info in infos.items()}
    selector = state.get("_agent_selector")
    if selector is not None:
        new_selector = object.__new__(type(selector))
        selector_state = selector.__dict__.copy()
        order = selector.agent_order
        selector_state["agent_order"] = new_agents if (agents is not None and order is agents) else list(order)
        new_selector.__dict__ = selector_state
        state["_agent_selector"] = new_selector
    for key, value in state.items():
        if isinstance(value, RNG_TYPES):
            state[key] = copy_rng(value)
    new.__dict__ = state
    return new
