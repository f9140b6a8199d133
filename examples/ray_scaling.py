"""Self-play games/s with 1, 2, 4, ... Ray workers, and the learner's training throughput beside it.

    python examples/ray_scaling.py                                  # tictactoe_v3, 1 2 4 ... up to the CPUs
    python examples/ray_scaling.py --game connect_four_v3 --workers 1 2 4 8 16 --seconds 60
    python examples/ray_scaling.py --ray-address auto              # on a cluster started with `ray start`

Self-play runs through the same coordinator as ``az-pz train --distributed ray`` (actors, weight
store, object store, unpacking), with fixed weights so every game counts. The learner figure is
AdamW steps on the game's preset batch size, on the learner's device (CUDA when there is one).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

import numpy as np
import ray

from az_pz.config import preset
from az_pz.distributed import DistributedConfig, distribute
from az_pz.train import Trainer


def selfplay_rate(game: str, workers: int, games_per_task: int, seconds: float, root: str) -> dict[str, float]:
    """Games and samples per second gathered by the learner from ``workers`` actors (after a warm-up)."""
    config = preset(game, device="cpu")
    trainer = Trainer(config, run_dir=os.path.join(root, f"selfplay-{workers}"), progress=False, tensorboard=False)
    distribute(trainer, DistributedConfig(backend="ray", workers=workers, games_per_task=games_per_task))
    rng = np.random.default_rng(0)
    per_round = workers * games_per_task
    try:
        trainer.selfplay.play(per_round, rng)  # actor start-up, JIT compilation
        games = samples = 0
        worker_rates = []
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            _, stats = trainer.selfplay.play(per_round, rng)
            games, samples = games + stats.games, samples + stats.samples
            worker_rates.append(stats.metrics()["selfplay/games_per_s"] / workers)
        wall = time.perf_counter() - start
    finally:
        trainer.close()
    return {"games_per_s": games / wall, "samples_per_s": samples / wall,
            "games_per_s_per_worker": float(np.mean(worker_rates))}


def local_rate(game: str, games: int, seconds: float, root: str) -> float:
    """Games per second of in-process self-play (no Ray), the baseline."""
    trainer = Trainer(preset(game, device="cpu"), run_dir=os.path.join(root, "local"), progress=False,
                      tensorboard=False)
    rng = np.random.default_rng(0)
    trainer.selfplay.play(min(games, 8), rng)  # JIT compilation
    played, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        played += trainer.selfplay.play(games, rng)[1].games
    trainer.close()
    return played / (time.perf_counter() - start)


def learner_rate(game: str, steps: int, root: str) -> tuple[float, str]:
    """Training samples per second (AdamW steps x batch size) on the learner's device."""
    config = preset(game, device="auto")
    trainer = Trainer(config, run_dir=os.path.join(root, "learner"), progress=False, tensorboard=False)
    positions, _ = trainer.selfplay.play(8, np.random.default_rng(0))
    for i in range(config.train.batch_size):
        trainer.replay.add(*positions[i % len(positions)])
    rng = np.random.default_rng(0)
    trainer.train_step(trainer.replay.sample(config.train.batch_size, rng))  # warm-up
    start = time.perf_counter()
    for _ in range(steps):
        trainer.train_step(trainer.replay.sample(config.train.batch_size, rng))
    wall = time.perf_counter() - start
    trainer.close()
    return steps * config.train.batch_size / wall, str(trainer.device)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--game", default="tictactoe_v3")
    parser.add_argument("--workers", type=int, nargs="+", help="worker counts (default 1, 2, 4, ... up to the CPUs)")
    parser.add_argument("--seconds", type=float, default=30.0, help="measuring time per worker count")
    parser.add_argument("--games-per-task", type=int, default=32)
    parser.add_argument("--learner-steps", type=int, default=50)
    parser.add_argument("--ray-address", help="join this Ray cluster (auto or HOST:PORT)")
    args = parser.parse_args()
    if args.ray_address:
        ray.init(address=args.ray_address, include_dashboard=False, log_to_driver=False)
    else:
        ray.init(num_cpus=max(args.workers or [os.cpu_count() or 1]), include_dashboard=False, log_to_driver=False)
    cpus = int(ray.cluster_resources().get("CPU", 1))
    counts = args.workers or [2**k for k in range(cpus.bit_length()) if 2**k <= cpus]
    print(f"{args.game}: Ray cluster with {cpus} CPUs; this machine has {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as root:
        learner, device = learner_rate(args.game, args.learner_steps, root)
        print(f"learner: {learner:.0f} training samples/s on {device} "
              f"(batch {preset(args.game).train.batch_size})")
        local = local_rate(args.game, args.games_per_task * 2, args.seconds, root)
        print(f"in-process self-play (no Ray): {local:.1f} games/s")
        print(f"{'workers':>7} {'games/s':>9} {'per worker':>10} {'samples/s':>10} {'speed-up':>8}")
        base = None
        for workers in counts:
            rate = selfplay_rate(args.game, workers, args.games_per_task, args.seconds, root)
            base = base or rate["games_per_s"]
            print(f"{workers:>7} {rate['games_per_s']:>9.1f} {rate['games_per_s_per_worker']:>10.1f} "
                  f"{rate['samples_per_s']:>10.0f} {rate['games_per_s'] / base:>7.2f}x", flush=True)
    ray.shutdown()


if __name__ == "__main__":
    main()
