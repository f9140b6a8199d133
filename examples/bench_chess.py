"""How much faster the fast chess task steps than PettingZoo's chess_v6, and what a state copy costs.

    python examples/bench_chess.py [SECONDS]

Both sides replay the same random games; a step is step + observe + legal mask.
"""

import sys

from az_pz.bench import bench_env_steps, format_table

seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 4.0
result = bench_env_steps("chess_v6", seconds, num_games=40)
print(format_table([result]))
print(
    f"fast: {result['fast_us_per_step']:.1f} µs/step, PettingZoo: {result['env_us_per_step']:.0f} µs/step, "
    f"speedup {result['speedup']:.1f}x, state copy {result['copy_us']:.2f} µs, "
    f"mean game {result['mean_game_length']:.0f} plies"
)
