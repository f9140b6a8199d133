"""Clone cost per game: µs for one exact copy of a live PettingZoo env (wrapper chain included).

    python examples/clone_cost.py

Targets: 30 µs tic-tac-toe and connect four, 60 µs chess and go 19x19 (registered
fast cloners). The generic structural copy, used for envs without a cloner, is
printed beside them.
"""

import functools
import warnings

from pettingzoo.classic import chess_v6, connect_four_v3, go_v5, tictactoe_v3

from az_pz.adapters import measure_clone_cost

warnings.filterwarnings("ignore", category=DeprecationWarning)

GAMES = [
    ("tictactoe_v3", tictactoe_v3.env, 4, 30),
    ("connect_four_v3", connect_four_v3.env, 20, 30),
    ("chess_v6", chess_v6.env, 60, 60),
    ("go_v5 9x9", functools.partial(go_v5.env, board_size=9), 40, None),
    ("go_v5 19x19", functools.partial(go_v5.env, board_size=19), 100, 60),
]

print(f"{'game':<16} {'plies in':>8} {'fast clone':>11} {'target':>7} {'generic copy':>13}")
for name, env_fn, plies, target in GAMES:
    fast = measure_clone_cost(env_fn, plies=plies, repeats=5000)
    generic = measure_clone_cost(env_fn, plies=plies, repeats=500, generic=True)
    target_text = f"{target} us" if target else "-"
    print(f"{name:<16} {plies:>8} {fast:>8.1f} us {target_text:>7} {generic:>10.1f} us")
