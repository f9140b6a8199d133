"""Train tic-tac-toe to perfect play with the default preset (a few minutes on 2 CPU cores).

    python examples/train_tictactoe.py [RUN_DIR]
    python examples/check_tictactoe.py RUN_DIR      # then check it against minimax

The same from the command line: ``az-pz train tictactoe_v3 --run-dir runs/tictactoe``.
"""

import sys

from az_pz.config import preset
from az_pz.train import Trainer

run_dir = sys.argv[1] if len(sys.argv) > 1 else "runs/tictactoe"
config = preset("tictactoe_v3", device="cpu")  # e.g. preset("tictactoe_v3", search__num_simulations=64)
trainer = Trainer(config, run_dir=run_dir)
trainer.learn()
trainer.final_evaluation()
print(f"trained {trainer.iteration} iterations in {trainer.counters['seconds']:.0f}s; run: {trainer.run_dir}")
