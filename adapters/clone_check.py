"""Proving and timing clones: differential play against the original, and clone cost in µs.

``check_clones(env_fn)`` plays random games; at random points it copies the env
(``clone()``, or ``get_state()`` / ``set_state()``, or the generic structural
copy) and plays the copy with the same actions as the original. Everything a
player can see must match at every step: observation and action mask of the
agent to move, rewards, cumulative rewards, terminations, truncations, infos,
``agents`` and ``agent_selection``. The original's record is itself a plain
replay of the moves from ``reset(seed)``, so each copy is proved against
replaying the moves. Half the time the original first plays to the end before
the copy moves at all, so a copy that shares state with its original is caught.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from az_pz.adapters.cloneable import CloneableEnv, EnvState, structural_copy

Policy = Callable[[np.random.Generator, np.ndarray], int]
"""``policy(rng, mask) -> action``: how the random games choose among legal actions."""

MODES = ("clone", "state", "generic")


def uniform_policy(rng: np.random.Generator, mask: np.ndarray) -> int:
    """A uniformly random legal action."""
    return int(rng.choice(np.flatnonzero(mask)))


def _mask_of(env: Any, agent: Any, obs: Any) -> np.ndarray:
    if isinstance(obs, dict) and "action_mask" in obs:
        return np.asarray(obs["action_mask"])
    return np.asarray(env.infos[agent]["action_mask"])


def _record(env: Any, observe_all: bool) -> dict[str, Any]:
    """Everything a player can see of the env now (compared between original and copy)."""
    agents = list(env.agents)
    record: dict[str, Any] = {
        "agent_selection": env.agent_selection,
        "agents": agents,
        "rewards": dict(env.rewards),
        "cumulative_rewards": dict(env._cumulative_rewards),
        "terminations": dict(env.terminations),
        "truncations": dict(env.truncations),
        "infos": repr({agent: sorted(map(repr, info)) for agent, info in env.infos.items()}),
    }
    for agent, info in env.infos.items():  # arrays compared whole (numpy's repr elides long ones, and is slow)
        for key, value in info.items():
            record[f"infos[{agent!r}][{key!r}]"] = np.array(value) if isinstance(value, np.ndarray) else repr(value)
    watched = agents if observe_all else ([env.agent_selection] if agents else [])
    for agent in watched:
        obs = env.observe(agent)
        if isinstance(obs, dict):
            for key, value in obs.items():
                record[f"observe({agent!r})[{key!r}]"] = np.array(value)
        else:
            record[f"observe({agent!r})"] = np.array(obs)
    return record


def _diff(a: dict[str, Any], b: dict[str, Any]) -> str | None:
    for key in a.keys() | b.keys():
        if key not in a or key not in b:
            return f"{key}: present in only one of them"
        x, y = a[key], b[key]
        if isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
            if x.shape != y.shape or x.dtype != y.dtype or not np.array_equal(x, y):
                return f"{key}: arrays differ"
        elif x != y:
            return f"{key}: {x!r} != {y!r}"
    return None


def _make_copy(env: CloneableEnv, mode: str, env_fn: Callable[[], Any], rng: np.random.Generator) -> CloneableEnv:
    if mode == "clone":
        return env.clone()
    if mode == "generic":
        return CloneableEnv(structural_copy(env.env))
    saved: EnvState = env.get_state()
    other = CloneableEnv(env_fn())
    other.reset(seed=int(rng.integers(1 << 30)))  # a different game, overwritten by set_state
    other.set_state(saved)
    return other


@dataclass(frozen=True)
class CloneCheckResult:
    games: int
    plies: int
    copies: int


def check_clones(
    env_fn: Callable[[], Any],
    *,
    num_games: int = 10,
    seed: int = 0,
    mode: str = "clone",
    copy_probability: float = 0.1,
    horizon: int | None = None,
    full_copy: bool = True,
    max_plies: int = 2000,
    policy: Policy = uniform_policy,
    observe_all: bool = False,
) -> CloneCheckResult:
    """Play ``num_games`` random games and prove every copy made along the way (see module doc).

    Args:
        env_fn: returns a fresh AEC env.
        mode: ``"clone"`` (``CloneableEnv.clone``), ``"state"`` (``get_state`` on the original,
            ``set_state`` into another env that was playing a different game) or ``"generic"``
            (the structural copy, even where a fast cloner exists).
        copy_probability: chance of a copy after each ply.
        horizon: plies each copy is followed for (None: to the end of the game).
        full_copy: also copy once in the first 8 plies and follow that copy to the end.
        max_plies: a game stops being played (not truncated) after this many plies.
        observe_all: compare the observations of every agent, not just the one to move.

    Raises:
        AssertionError: naming the game, ply and first field where a copy and the original differ.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    rng = np.random.default_rng(seed)
    plies = copies = 0
    for game in range(num_games):
        env = CloneableEnv(env_fn())
        env.reset(seed=seed + game)
        actions: list[Any] = []
        records = [_record(env, observe_all)]
        first_copy = int(rng.integers(0, 8)) if full_copy else -1
        pending: list[list[Any]] = []  # [start, end, copy, lockstep]
        while env.agents and len(actions) < max_plies:
            ply = len(actions)
            if ply == first_copy or rng.random() < copy_probability:
                end = None if (ply == first_copy or horizon is None) else ply + horizon
                pending.append([ply, end, _make_copy(env, mode, env_fn, rng), bool(rng.random() < 0.5)])
            agent = env.agent_selection
            if env.terminations[agent] or env.truncations[agent]:
                action = None
            else:
                action = policy(rng, _mask_from_record(env, agent, records[-1], observe_all))
            actions.append(action)
            env.step(action)
            records.append(_record(env, observe_all))
            for start, end, copy, lockstep in pending:
                if lockstep and (end is None or ply < end):
                    _step_and_compare(copy, action, records[ply + 1], game, ply + 1, observe_all)
        for start, end, copy, lockstep in pending:
            if not lockstep:
                _compare(_record(copy, observe_all), records[start], game, start)
                for ply in range(start, len(actions) if end is None else min(end, len(actions))):
                    _step_and_compare(copy, actions[ply], records[ply + 1], game, ply + 1, observe_all)
        plies += len(actions)
        copies += len(pending)
    return CloneCheckResult(num_games, plies, copies)


def _mask_from_record(env: Any, agent: Any, record: dict[str, Any], observe_all: bool) -> np.ndarray:
    mask = record.get(f"observe({agent!r})['action_mask']")
    if mask is None:
        return _mask_of(env, agent, env.observe(agent))
    return mask


def _step_and_compare(copy: CloneableEnv, action: Any, expected: dict[str, Any], game: int, ply: int,
                      observe_all: bool) -> None:
    copy.step(action)
    _compare(_record(copy, observe_all), expected, game, ply)


def _compare(got: dict[str, Any], expected: dict[str, Any], game: int, ply: int) -> None:
    difference = _diff(got, expected)
    if difference is not None:
        raise AssertionError(f"game {game}, after ply {ply}: the copy differs from the original: {difference}")


def measure_clone_cost(
    env_fn: Callable[[], Any],
    *,
    plies: int = 40,
    repeats: int = 2000,
    seed: int = 0,
    generic: bool = False,
    policy: Policy = uniform_policy,
) -> float:
    """Cost in µs of one ``CloneableEnv.clone()`` (wrapper chain included) of a game
    ``plies`` random moves in (fewer if it ends), best of 5 rounds of ``repeats // 5`` clones.
    ``generic=True`` times the structural copy instead of the registered cloner."""
    rng = np.random.default_rng(seed)
    env = CloneableEnv(env_fn())
    env.reset(seed=seed)
    for _ in range(plies):
        agent = env.agent_selection
        if env.terminations[agent] or env.truncations[agent]:
            break
        env.step(policy(rng, _mask_of(env, agent, env.observe(agent))))
    copy_fn = (lambda: structural_copy(env.env)) if generic else env.clone
    rounds = []
    per_round = max(1, repeats // 5)
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(per_round):
            copy_fn()
        rounds.append((time.perf_counter() - start) / per_round * 1e6)
    return float(min(rounds))
