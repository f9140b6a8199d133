"""Shared helpers of the agent tests: play games on live PettingZoo envs."""

from __future__ import annotations

from typing import Any

import numpy as np

from az_pz.envs import make_aec_env


def play(game: str, agents: list[Any], *, seed: int = 0, max_moves: int | None = None, **env_kwargs: Any) -> dict:
    """Play one game in a plain AEC loop, asserting every chosen action is a legal Python int."""
    env = make_aec_env(game, **env_kwargs)
    env.reset(seed=seed)
    for agent in agents:
        agent.reset()
    moves = 0
    returns = dict.fromkeys(env.possible_agents, 0.0)
    for name in env.agent_iter():
        observation, _, termination, truncation, _ = env.last()
        if termination or truncation:
            env.step(None)
            continue
        if max_moves is not None and moves >= max_moves:
            break
        action = agents[env.possible_agents.index(name)].act(env)
        assert type(action) is int
        assert np.asarray(observation["action_mask"])[action] == 1, f"illegal action {action}"
        env.step(action)
        moves += 1
        for seat_name, reward in env.rewards.items():
            returns[seat_name] += float(reward)
    env.close()
    return {"moves": moves, "rewards": returns}
