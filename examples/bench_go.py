"""Print how much faster the fast go task steps than PettingZoo's go_v5 env (9x9 and 19x19).

    python examples/bench_go.py [SECONDS]

Both sides replay the same recorded random games: step + observe + legal mask.
States are immutable, so the search shares them (``copy_state`` returns the
state itself); the deep copy of a state (``state.copy()``) is timed too.
"""

import sys
import timeit

import numpy as np

from az_pz.bench import bench_env_steps, format_table
from az_pz.games import make_task

seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 2.0
results = [bench_env_steps("go_v5", seconds, num_games=30, board_size=size) for size in (9, 19)]
print(format_table(results))
for size in (9, 19):
    task = make_task("go_v5", board_size=size)
    rng = np.random.default_rng(0)
    state = task.initial_state()
    for _ in range(size * size // 2):
        state, _ = task.step(state, int(rng.choice(np.flatnonzero(task.legal_mask(state)))))
    repeats = 20000
    deep = timeit.timeit(state.copy, number=repeats) / repeats * 1e6
    print(f"go_v5 board_size={size}: deep state copy {deep:.2f} µs (history int8 [8, {size * size}] + mask)")
