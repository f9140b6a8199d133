"""OpenSpiel's games through Shimmy: what a clone and a search step cost.

    python examples/bench_openspiel.py

Per game, a position some plies in: the registered cloner of Shimmy's env (``pyspiel``'s
``state.clone()`` plus the AEC dicts) against the generic structural copy (which deep-copies the
``pyspiel`` objects through pickling), then one ``task.step`` (copy + move + rewards) and one
``observe`` of the generic adapter on Shimmy's env against the native ``OpenSpielTask``.
"""

import functools
import time

import numpy as np

from az_pz import make_task
from az_pz.adapters import measure_clone_cost
from az_pz.adapters.openspiel import make_env

GAMES = [("tic_tac_toe", {}, 4), ("connect_four", {}, 12), ("othello", {}, 20), ("hex", {"board_size": 5}, 8),
         ("breakthrough", {}, 30), ("clobber", {}, 10), ("dots_and_boxes", {}, 5)]


def step_cost(task, plies: int, repeats: int = 500) -> float:
    """µs of one step + observe + legal_mask from a position ``plies`` random moves in (best of 5 rounds)."""
    rng = np.random.default_rng(0)
    state = task.initial_state(seed=0)
    for _ in range(plies):
        state, _ = task.step(state, int(rng.choice(np.flatnonzero(task.legal_mask(state)))))
    action = int(np.flatnonzero(task.legal_mask(state))[0])
    rounds = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(repeats // 5):
            child, _ = task.step(state, action)
            if not task.is_terminal(child):
                task.observe(child), task.legal_mask(child)
        rounds.append((time.perf_counter() - start) / (repeats // 5) * 1e6)
    return min(rounds)


print(f"{'game':<16} {'plies in':>8} {'fast clone':>11} {'generic copy':>13} {'step: Shimmy':>13} {'native':>9}")
for name, params, plies in GAMES:
    env_fn = functools.partial(make_env, name, params)
    fast = measure_clone_cost(env_fn, plies=plies, repeats=2000)
    generic = measure_clone_cost(env_fn, plies=plies, repeats=200, generic=True)
    shimmy = step_cost(make_task(f"openspiel:{name}", backend="pettingzoo", **params), plies)
    native = step_cost(make_task(f"openspiel:{name}", **params), plies, repeats=5000)
    print(f"{name:<16} {plies:>8} {fast:>8.1f} us {generic:>10.1f} us {shimmy:>10.1f} us {native:>6.1f} us")
