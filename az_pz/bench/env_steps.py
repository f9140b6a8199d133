"""How much faster a fast native task is than the PettingZoo env it mirrors.

The search steps and observes games thousands of times per move, so the
figure that matters is the cost of one *step + observe + legal mask*.
:func:`bench_env_steps` replays the same recorded random games through both
sides and counts steps per second:

* fast task: ``state, rewards = task.step(state, a)``, ``task.observe(state)``,
  ``task.legal_mask(state)``;
* PettingZoo: ``env.step(a)``, ``env.last()`` (observation dict, reward,
  termination, truncation, info), ``observation["action_mask"]``.

Each game starts from ``task.initial_state()`` / ``env.reset()`` inside the
timed loop. The two sides run in alternating rounds so that a load change on
a shared machine hits both. The state copy cost is the time of
``task.copy_state(state)`` (``copy.deepcopy`` for tasks without one) on
mid-game states, beside the cost of cloning the PettingZoo env mid-game
(``clone_env``, as the generic adapter does). Works for any game with a fast task (``make_task(...,
backend="fast")``).
"""

from __future__ import annotations

import copy
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["bench_env_steps", "bench_envs", "format_table"]


def _record_games(task: Any, num_games: int, max_moves: int, rng: np.random.Generator) -> list[list[int]]:
    """Uniformly random legal games (at most ``max_moves`` moves each), as action lists."""
    games = []
    for _ in range(num_games):
        state, actions = task.initial_state(), []
        while not task.is_terminal(state) and len(actions) < max_moves:
            action = int(rng.choice(np.flatnonzero(task.legal_mask(state))))
            state, _ = task.step(state, action)
            actions.append(action)
        games.append(actions)
    return games


def _run_fast(task: Any, games: Sequence[list[int]], seconds: float) -> tuple[int, float]:
    step, observe, legal_mask, initial_state = task.step, task.observe, task.legal_mask, task.initial_state
    steps, start = 0, time.perf_counter()
    while True:
        for actions in games:
            state = initial_state()
            for action in actions:
                state, _ = step(state, action)
                observe(state)
                legal_mask(state)
            steps += len(actions)
            if time.perf_counter() - start >= seconds:
                return steps, time.perf_counter() - start


def _run_env(env: Any, games: Sequence[list[int]], seconds: float) -> tuple[int, float]:
    steps, start = 0, time.perf_counter()
    while True:
        for actions in games:
            env.reset()
            for action in actions:
                env.step(action)
                observation, _, _, _, _ = env.last()
                observation["action_mask"]
            steps += len(actions)
            if time.perf_counter() - start >= seconds:
                return steps, time.perf_counter() - start


def _copy_cost_us(task: Any, games: Sequence[list[int]], repeats: int = 2000) -> float:
    """Mean microseconds per state copy over mid-game states."""
    states = []
    for actions in games[:50]:
        state = task.initial_state()
        for action in actions[: len(actions) // 2]:
            state, _ = task.step(state, action)
        states.append(state)
    copier = getattr(task, "copy_state", None) or copy.deepcopy
    per_round = max(1, repeats // len(states))
    start = time.perf_counter()
    for _ in range(per_round):
        for state in states:
            copier(state)
    return 1e6 * (time.perf_counter() - start) / (per_round * len(states))


def _env_copy_cost_us(env: Any, games: Sequence[list[int]], repeats: int = 20) -> float | None:
    """Mean microseconds per clone of a mid-game PettingZoo env (``clone_env``; None if unavailable)."""
    try:
        from az_pz.adapters.cloneable import clone_env
    except ImportError:
        return None
    elapsed, clones = 0.0, 0
    for actions in games[:10]:
        env.reset()
        for action in actions[: len(actions) // 2]:
            env.step(action)
        start = time.perf_counter()
        for _ in range(repeats):
            clone_env(env)
        elapsed, clones = elapsed + time.perf_counter() - start, clones + repeats
    return 1e6 * elapsed / clones


def bench_env_steps(
    game: str,
    seconds: float = 2.0,
    *,
    num_games: int = 100,
    max_moves: int = 1000,
    rounds: int = 4,
    seed: int = 0,
    **env_kwargs: Any,
) -> dict[str, Any]:
    """Steps/s of the fast task and of the PettingZoo env on the same random games.

    Args:
        game: ``"connect_four_v3"`` or a registry id; must have a fast task.
        seconds: timed seconds per side (split into ``rounds`` alternating rounds).
        num_games: random games recorded once and replayed by both sides.
        max_moves: cap on a recorded game's length (long random go games).
        seed: seeds the recorded games.
        **env_kwargs: passed to the task and env (e.g. ``board_size=19``).

    Returns:
        ``game``, ``env_kwargs``, ``fast_steps_per_s``, ``env_steps_per_s``,
        ``speedup`` (their ratio), ``fast_us_per_step``, ``env_us_per_step``,
        ``copy_us`` (fast state copy cost), ``env_copy_us`` (cost of cloning the
        live PettingZoo env with ``az_pz.adapters.cloneable.clone_env``, what
        the generic adapter pays; None without it) and ``mean_game_length``.
    """
    from az_pz.games import canonical_name, make_task

    task = make_task(game, backend="fast", **env_kwargs)
    env = task.make_env()
    games = _record_games(task, num_games, max_moves, np.random.default_rng(seed))
    _run_fast(task, games[:2], 0.0)  # warm up (lazy tables, JIT)
    _run_env(env, games[:2], 0.0)
    fast_steps = env_steps = 0
    fast_time = env_time = 0.0
    for _ in range(rounds):
        steps, elapsed = _run_fast(task, games, seconds / rounds)
        fast_steps, fast_time = fast_steps + steps, fast_time + elapsed
        steps, elapsed = _run_env(env, games, seconds / rounds)
        env_steps, env_time = env_steps + steps, env_time + elapsed
    fast_rate, env_rate = fast_steps / fast_time, env_steps / env_time
    result = {
        "game": canonical_name(game),
        "env_kwargs": dict(env_kwargs),
        "fast_steps_per_s": fast_rate,
        "env_steps_per_s": env_rate,
        "speedup": fast_rate / env_rate,
        "fast_us_per_step": 1e6 / fast_rate,
        "env_us_per_step": 1e6 / env_rate,
        "copy_us": _copy_cost_us(task, games),
        "env_copy_us": _env_copy_cost_us(env, games),
        "mean_game_length": float(np.mean([len(g) for g in games])),
    }
    env.close()
    return result


def bench_envs(
    games: Sequence[str | tuple[str, dict[str, Any]]] = ("tictactoe_v3", "connect_four_v3"),
    seconds: float = 2.0,
    **options: Any,
) -> list[dict[str, Any]]:
    """:func:`bench_env_steps` for several games (a name, or ``(name, env_kwargs)``)."""
    results = []
    for entry in games:
        name, kwargs = (entry, {}) if isinstance(entry, str) else entry
        results.append(bench_env_steps(name, seconds, **options, **kwargs))
    return results


def format_table(results: Sequence[dict[str, Any]]) -> str:
    """A plain-text table of :func:`bench_env_steps` results."""
    header = (
        f"{'game':<28} {'fast steps/s':>13} {'env steps/s':>12} {'speedup':>8} {'copy µs':>8} {'env clone µs':>13}"
    )
    lines = [header, "-" * len(header)]
    for r in results:
        label = r["game"] + "".join(f" {k}={v}" for k, v in r["env_kwargs"].items())
        lines.append(
            f"{label:<28} {r['fast_steps_per_s']:>13,.0f} {r['env_steps_per_s']:>12,.0f} "
            f"{r['speedup']:>7.1f}x {r['copy_us']:>8.2f} {_number(r.get('env_copy_us')):>13}"
        )
    return "\n".join(lines)


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"
