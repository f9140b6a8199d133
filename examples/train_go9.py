"""Train go on a 9x9 board, then play it against random play and GNU Go.

    python examples/train_go9.py [RUN_DIR] [MINUTES] [--gpu]

The CPU preset (``preset("go_v5", env_kwargs={"board_size": 9})``) is sized to beat random play
in at most 30 minutes on two CPU cores; ``--gpu`` takes the single-GPU preset (6x96 network,
bf16). The same from the command line::

    az-pz train go_v5 --env.board-size 9 --train.time-limit-s 1800 --run-dir runs/go9
    az-pz arena go_v5 alphazero:runs/go9 random gnugo:1 --env board_size=9 --games 20
"""

import sys

from az_pz.matches import evaluate
from az_pz.config import preset
from az_pz.train import Trainer

args = [a for a in sys.argv[1:] if a != "--gpu"]
gpu = "--gpu" in sys.argv
run_dir = args[0] if args else "runs/go9"
minutes = float(args[1]) if len(args) > 1 else 30.0

config = preset("go_v5", gpu=gpu, env_kwargs={"board_size": 9}, train__time_limit_s=60 * minutes,
                train__iterations=100_000)  # the time limit ends the run
trainer = Trainer(config, run_dir=run_dir)
trainer.learn()

# Games on the live PettingZoo env, seats alternated, no move cap: PettingZoo's rules exactly.
result = evaluate(f"alphazero:{run_dir}", "random", "go_v5", n_games=100, board_size=9)
print(f"against random play: {result.wins} wins, {result.draws} draws, {result.losses} losses")
try:
    result = evaluate(f"alphazero:{run_dir}", "gnugo:1", "go_v5", n_games=20, board_size=9)
    print(f"against GNU Go level 1: {result.wins} wins, {result.losses} losses")
except FileNotFoundError as error:  # GNU Go not installed
    print(error)
