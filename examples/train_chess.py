"""Train chess by self-play, then play it against random play and Stockfish.

    python examples/train_chess.py [RUN_DIR] [MINUTES] [--gpu]

The CPU preset (``preset("chess_v6")``) is sized for an hour on two CPU cores, the goal being to
checkmate a random mover; ``--gpu`` takes the single-GPU preset (10x128 network, bf16). The same
from the command line::

    az-pz train chess_v6 --train.time-limit-s 3600 --run-dir runs/chess
    az-pz arena chess_v6 alphazero:runs/chess random stockfish:1320 --games 20

Self-play caps games at ``selfplay.max_moves``; on CPU a capped game is adjudicated on material
(``selfplay.adjudicate_capped``), on GPU its value target is 0, a draw. The
evaluation below plays PettingZoo's rules to the end (checkmate, stalemate, insufficient material,
fifty moves, threefold repetition).
"""

import sys

from az_pz.matches import evaluate
from az_pz.config import preset
from az_pz.train import Trainer

args = [a for a in sys.argv[1:] if a != "--gpu"]
gpu = "--gpu" in sys.argv
run_dir = args[0] if args else "runs/chess"
minutes = float(args[1]) if len(args) > 1 else 60.0

config = preset("chess_v6", gpu=gpu, train__time_limit_s=60 * minutes, train__iterations=100_000)
trainer = Trainer(config, run_dir=run_dir)
trainer.learn()

result = evaluate(f"alphazero:{run_dir}", "random", "chess_v6", n_games=100)
print(f"against random play: {result.wins} wins, {result.draws} draws, {result.losses} losses, "
      f"score {result.mean_score:.2f} (wins + half the draws)")
try:
    result = evaluate(f"alphazero:{run_dir}", "stockfish:1320", "chess_v6", n_games=10)
    print(f"against Stockfish (UCI_Elo 1320): {result.wins}/{result.draws}/{result.losses} (W/D/L)")
except FileNotFoundError as error:  # Stockfish not installed
    print(error)
