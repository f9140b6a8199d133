"""Print how much faster the fast native tasks step than the PettingZoo envs they mirror.

    python examples/bench_envs.py [SECONDS] [GAME ...]
"""

import sys

from az_pz.bench import bench_envs, format_table

seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 2.0
games = sys.argv[2:] or ["tictactoe_v3", "connect_four_v3"]
print(format_table(bench_envs(games, seconds=seconds)))
