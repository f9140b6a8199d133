"""az_pz against sb3-contrib's MaskablePPO on connect four, with one CPU wall-clock budget for both.

1. az_pz trains by self-play (the connect four preset) until the budget is spent;
   its actual training time is measured.
2. MaskablePPO trains on the Gymnasium view ``az_pz/ConnectFour-v0`` for the same
   measured time, seat drawn at random each game, against a pool of opponents: the
   random player and frozen snapshots of itself (fictitious self-play, refreshed
   after every chunk of steps).
3. The two meet head to head in the arena (seats alternated, each pair of games
   starting from one random two-move opening so deterministic players do not
   repeat one game), with the random player as the Elo anchor.

    python examples/compare_maskable_ppo.py --budget-s 600 --games 100 --out runs/compare_c4

Prints both budgets and the W/D/L table; writes them with the arena files under ``--out``.
"""

from __future__ import annotations

import argparse
import io
import json
import time
from pathlib import Path

import gymnasium as gym
import numpy as np
import torch
from sb3_contrib import MaskablePPO

import az_pz  # noqa: F401  (registers az_pz/ConnectFour-v0)
from az_pz.agents.alphazero import AlphaZeroAgent
from az_pz.agents import RandomAgent
from az_pz.agents.sb3 import SB3Agent
from az_pz.matches import evaluate, round_robin
from az_pz.config import preset
from az_pz.train import Trainer


class SnapshotPool:
    """Opponent for PPO: each game, the random player or a frozen snapshot of the learner (latest favoured)."""

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.snapshots: list[SB3Agent] = []
        self.random = RandomAgent(seed)
        self.current = self.random

    def add(self, model: MaskablePPO) -> None:
        buffer = io.BytesIO()
        model.save(buffer)
        buffer.seek(0)
        self.snapshots.append(SB3Agent(MaskablePPO.load(buffer, device="cpu")))

    def reset(self) -> None:
        draw = self.rng.random()
        if not self.snapshots or draw < 0.2:
            self.current = self.random
        elif draw < 0.6:
            self.current = self.snapshots[-1]
        else:
            self.current = self.snapshots[int(self.rng.integers(len(self.snapshots)))]

    def seed(self, seed: int | None) -> None:
        self.random.seed(seed)

    def act(self, env) -> int:
        return self.current.act(env)


def train_az(args: argparse.Namespace, run_dir: Path) -> tuple[AlphaZeroAgent, dict]:
    """Self-play training until ``budget_s`` is spent; settings sized for a short CPU budget.

    The connect four preset (ResNet, 128 simulations) is sized for an hour; for minutes on a
    CPU a small MLP with fewer simulations learns more in the time (more games per second).
    """
    overrides = {"device": "cpu", "seed": args.seed, "train__time_limit_s": args.budget_s, "train__iterations": 100_000,
                 "eval__every": 0, "eval__final_games": 0,
                 "selfplay__games_per_iteration": args.games_per_iteration,
                 "selfplay__concurrent_games": args.games_per_iteration,
                 "search__num_simulations": args.az_simulations,
                 "selfplay__fast_simulations": max(8, args.az_simulations // 4),
                 "train__min_replay_size": 256,
                 # checkpoints (with the replay buffer) are written outside the timed part of an
                 # iteration; a few of them keep the wall-clock close to the budget
                 "train__checkpoint_every": args.checkpoint_every}
    if args.az_network == "mlp":
        overrides["network"] = {"kind": "mlp", "num_blocks": 2, "mlp_hidden": 128}
    trainer = Trainer(preset("connect_four_v3", **overrides), run_dir=run_dir, device="cpu", progress=False)
    start, cpu_start = time.perf_counter(), time.process_time()
    trainer.learn()
    seconds = time.perf_counter() - start
    budget = {"wall_clock_s": round(seconds, 1), "cpu_s": round(time.process_time() - cpu_start, 1),
              "iterations": trainer.iteration, "selfplay_games": int(trainer.counters["games"]),
              "positions": int(trainer.counters["positions"])}
    return AlphaZeroAgent.load(run_dir, device="cpu", num_simulations=args.play_simulations), budget


def train_ppo(seconds: float, out: Path, seed: int, chunk: int) -> tuple[SB3Agent, dict]:
    pool = SnapshotPool(seed)
    env = gym.make("az_pz/ConnectFour-v0", opponent=pool, seat="random")
    model = MaskablePPO("MlpPolicy", env, seed=seed, device="cpu", verbose=0)
    start, cpu_start = time.perf_counter(), time.process_time()
    while time.perf_counter() - start < seconds:
        model.learn(chunk, reset_num_timesteps=False)
        pool.add(model)
    elapsed = time.perf_counter() - start
    model.save(out / "maskable_ppo_connect_four")
    budget = {"wall_clock_s": round(elapsed, 1), "cpu_s": round(time.process_time() - cpu_start, 1),
              "timesteps": int(model.num_timesteps), "snapshots": len(pool.snapshots)}
    return SB3Agent(model), budget


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--budget-s", type=float, default=600.0,
                        help="az_pz training budget; PPO gets the time az_pz used")
    parser.add_argument("--games", type=int, default=100, help="games per pairing in the arena")
    parser.add_argument("--out", default="runs/compare_connect_four", help="output directory")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=torch.get_num_threads(), help="torch threads for both")
    parser.add_argument("--ppo-chunk", type=int, default=8192, help="PPO steps between snapshots of the opponent pool")
    parser.add_argument("--games-per-iteration", type=int, default=32, help="az_pz self-play games per iteration")
    parser.add_argument("--az-simulations", type=int, default=48, help="az_pz simulations per self-play move")
    parser.add_argument("--az-network", choices=["mlp", "preset"], default="mlp",
                        help="mlp: small residual MLP (fast on CPU); preset: the preset's ResNet")
    parser.add_argument("--checkpoint-every", type=int, default=100, help="az_pz iterations between checkpoints")
    parser.add_argument("--play-simulations", type=int, default=128, help="az_pz simulations per move in the arena")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    print(f"training az_pz for about {args.budget_s:.0f}s of CPU wall-clock ...")
    az_agent, az_budget = train_az(args, out / "az_pz_run")
    print(f"  az_pz: {az_budget}")
    print(f"training MaskablePPO for the same {az_budget['wall_clock_s']:.0f}s ...")
    ppo_agent, ppo_budget = train_ppo(az_budget["wall_clock_s"], out, args.seed, args.ppo_chunk)
    print(f"  MaskablePPO: {ppo_budget}")

    ppo_vs_random = evaluate(ppo_agent, "random", "connect_four_v3", n_games=args.games, seed=args.seed)
    result = round_robin("connect_four_v3", {"az_pz": az_agent, "maskable_ppo": ppo_agent, "random": RandomAgent(0)},
                         games_per_pair=args.games, seed=args.seed, anchor="random", opening_moves=2, progress=True)
    print(result.table())
    result.write(out / "arena")
    i, j = result.names.index("az_pz"), result.names.index("maskable_ppo")
    head_to_head = {"wins": int(result.wins[i, j]), "draws": int(result.draws[i, j]),
                    "losses": int(result.losses[i, j])}
    score = (head_to_head["wins"] + 0.5 * head_to_head["draws"]) / args.games
    print(f"\naz_pz vs MaskablePPO: W/D/L {head_to_head['wins']}/{head_to_head['draws']}/{head_to_head['losses']} "
          f"(score {score:.1%}); MaskablePPO vs random (tutorial measure): win rate {ppo_vs_random.win_rate:.2f}")
    report = {"budget_s": args.budget_s, "threads": args.threads, "az_pz": az_budget, "maskable_ppo": ppo_budget,
              "head_to_head": head_to_head, "az_pz_score": score, "maskable_ppo_vs_random": ppo_vs_random.to_dict(),
              "ratings": result.ratings.as_rows()}
    (out / "comparison.json").write_text(json.dumps(report, indent=2))
    print(f"wrote {out / 'comparison.json'} and {out / 'arena'}")


if __name__ == "__main__":
    main()
