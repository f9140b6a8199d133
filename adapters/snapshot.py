"""The state of :class:`~az_pz.adapters.pettingzoo.PettingZooTask`, and stepping an env below its policing wrappers.

An :class:`EnvSnapshot` is a private env copy frozen at one position; :func:`advance` steps an env in place (the
task clones first, so a state never changes), skipping the turns of agents already done, and sums the rewards.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pettingzoo.utils.wrappers import AssertOutOfBoundsWrapper, OrderEnforcingWrapper, TerminateIllegalWrapper

from az_pz.adapters.cloneable import CloneableEnv, prepare_raw

_POLICING_WRAPPERS = (OrderEnforcingWrapper, AssertOutOfBoundsWrapper, TerminateIllegalWrapper, CloneableEnv)
"""Wrappers that only police call order and illegal actions; the adapter checks legality itself
and steps below them (TerminateIllegalWrapper would otherwise observe twice per step)."""


def core_of(env: Any) -> Any:
    """The env below the policing wrappers (the one the adapter steps)."""
    while type(env) in _POLICING_WRAPPERS:
        env = env.env
    return env


def forget_cached_observations(env: Any) -> None:
    """TerminateIllegalWrapper caches the last observation's mask; after stepping below it, drop it."""
    while hasattr(env, "env"):
        if isinstance(env, TerminateIllegalWrapper):
            env._prev_obs = None
            env._prev_info = None
        env = env.env


def is_over(core: Any) -> bool:
    """Whether no live agent is left (every agent terminated or truncated)."""
    agents = core.agents
    if not agents:
        return True
    terminations, truncations = core.terminations, core.truncations
    return all(terminations[a] or truncations[a] for a in agents)


class EnvSnapshot:
    """A state of :class:`~az_pz.adapters.pettingzoo.PettingZooTask`: one game position in a private env copy.

    Treat it as immutable: ``env`` must never be stepped (use ``task.step``, or
    ``task.to_env(state)`` for a live copy). Observation and mask are computed
    once, on first use.
    """

    __slots__ = ("env", "_core", "_agent", "_terminal", "_obs", "_mask")

    def __init__(self, env: Any):
        self.env = env
        """The env (full wrapper chain) holding this position."""
        self._core = core_of(env)
        self._terminal = is_over(self._core)
        self._agent = None if not self._core.agents else self._core.agent_selection
        self._obs: Any = None
        self._mask: np.ndarray | None = None

    def _observe(self) -> tuple[Any, np.ndarray]:
        if self._mask is None:
            if self._agent is None:
                raise ValueError("the game is over and no agent is left to observe")
            obs = self._core.observe(self._agent)
            if isinstance(obs, dict) and "action_mask" in obs:
                mask = obs["action_mask"]
                obs = obs["observation"]
            else:
                info = self._core.infos.get(self._agent, {})
                if "action_mask" not in info:
                    raise ValueError(
                        f"no action mask for {self._agent!r}: az_pz needs observation['action_mask'] "
                        "or infos[agent]['action_mask']"
                    )
                mask = info["action_mask"]
                if isinstance(obs, dict):
                    obs = obs["observation"]
            self._obs = obs
            self._mask = np.asarray(mask).astype(bool)
        return self._obs, self._mask

    def __repr__(self) -> str:
        status = "over" if self._terminal else f"{self._agent} to move"
        return f"EnvSnapshot({self.env}, {status})"


def advance(env: Any, action: int | None, num_players: int, seat_of: dict[Any, int]) -> np.ndarray:
    """Step ``env`` in place with ``action``, then step dead agents with None until a live agent
    is to move or the game is over; return the rewards of all those steps, float32 [P] seat order."""
    core = core_of(env)
    prepare_raw(core.unwrapped)
    rewards = np.zeros(num_players, dtype=np.float32)
    core.step(action)
    while True:
        for agent, reward in core.rewards.items():
            if reward:
                rewards[seat_of[agent]] += reward
        if is_over(core):
            break
        agent = core.agent_selection
        if not (core.terminations[agent] or core.truncations[agent]):
            break
        core.step(None)
    forget_cached_observations(env)
    return rewards
