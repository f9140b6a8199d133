"""Yardstick figures of reference players: an untrained network (alone and with the preset's search) and rollout MCTS.

    python examples/yardstick_baselines.py                     # all 1000 positions; MCTS on the first 200
    python examples/yardstick_baselines.py --positions 100 --mcts 1600 --mcts-positions 50

Prints one line per player and game stage (the same table as ``az-pz eval ... --yardstick``).
"""

from __future__ import annotations

import argparse
import time

import torch

from az_pz.agents.alphazero import AlphaZeroAgent
from az_pz.agents import make
from az_pz.cli.yardstick import _print_rows
from az_pz.config import preset
from az_pz.games import make_task
from az_pz.network import AlphaZeroNetwork
from az_pz.yardstick import default_positions, evaluate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--positions", type=int, default=None, help="positions for the network (default: all)")
    parser.add_argument("--mcts", type=int, action="append", help="rollout MCTS simulations (repeatable; default 1600)")
    parser.add_argument("--mcts-positions", type=int, default=200, help="positions for rollout MCTS (default 200)")
    args = parser.parse_args()
    torch.manual_seed(0)
    config = preset("connect_four_v3")
    task = make_task("connect_four_v3")
    agent = AlphaZeroAgent(task, AlphaZeroNetwork(task.spec, config.network), search=config.eval_search(),
                           device="cpu", seed=0)
    positions = default_positions(args.positions)
    print(f"{len(positions)} positions; untrained {config.network.kind} {config.network.num_blocks}x"
          f"{config.network.channels} network (torch seed 0)")
    header = True
    for label, search in (("untrained network", False), (f"untrained + search {config.eval_search().num_simulations}", True)):
        start = time.perf_counter()
        result = evaluate(agent, positions, search=search)
        _print_rows(label, result, time.perf_counter() - start, header=header)
        header = False
    sample = default_positions(args.mcts_positions)
    for sims in args.mcts or [1600]:
        start = time.perf_counter()
        result = evaluate(make(f"mcts:{sims}", seed=0), sample)
        _print_rows(f"mcts:{sims} ({len(sample)})", result, time.perf_counter() - start, header=False)


if __name__ == "__main__":
    main()
