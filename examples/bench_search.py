"""Search throughput on connect four: simulations/s against the network's own evaluations/s.

    python examples/bench_search.py                      # uniform evaluator: the search's own overhead
    python examples/bench_search.py --net --threads 1    # 4x64 residual net, the ratio that matters

Plays ``--moves`` moves of ``--games`` concurrent games (``--sims`` simulations
per move, tree reuse on) and prints simulations/s; with ``--net`` it also
times the network alone (observe + forward pass) on batches of the size the
search sends, and prints the ratio. ``--games 1 --leaves 1`` is the classic
one-leaf-at-a-time search.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from az_pz import make_task, rotate_to_seats
from az_pz.evaluators import Evaluation, UniformEvaluator
from az_pz.search import MCTS, SearchConfig


def residual_evaluator(task, blocks: int = 4, channels: int = 64):
    """A small AlphaZero-style residual network (blocks x channels) as an Evaluator."""
    import torch
    from torch import nn

    shape = task.spec.phases[0].observation_shape
    actions, players = task.spec.max_actions, task.spec.num_players

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.c1, self.b1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False), nn.BatchNorm2d(channels)
            self.c2, self.b2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False), nn.BatchNorm2d(channels)

        def forward(self, x):
            return torch.relu(x + self.b2(self.c2(torch.relu(self.b1(self.c1(x))))))

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = nn.Sequential(nn.Conv2d(shape[0], channels, 3, padding=1, bias=False),
                                      nn.BatchNorm2d(channels), nn.ReLU())
            self.blocks = nn.Sequential(*[Block() for _ in range(blocks)])
            flat = shape[1] * shape[2]
            self.policy = nn.Sequential(nn.Conv2d(channels, 2, 1), nn.ReLU(), nn.Flatten(), nn.Linear(2 * flat, actions))
            self.value = nn.Sequential(nn.Conv2d(channels, 1, 1), nn.ReLU(), nn.Flatten(), nn.Linear(flat, 64),
                                       nn.ReLU(), nn.Linear(64, players), nn.Tanh())

        def forward(self, x):
            h = self.blocks(self.stem(x))
            return self.policy(h), self.value(h)

    net = Net().eval()

    class NetEvaluator:
        def evaluate(self, task, states):
            obs = np.stack([task.observe(s) for s in states])
            to_play = np.fromiter((task.to_play(s) for s in states), np.int64, len(states))
            with torch.inference_mode():
                logits, values = net(torch.from_numpy(obs))
            return Evaluation(logits.numpy(), rotate_to_seats(values.numpy(), to_play).astype(np.float32))

    return NetEvaluator()


def play(task, evaluator, games: int, leaves: int, sims: int, moves: int, seed: int = 0) -> tuple[float, int, float]:
    """Simulations/s of ``moves`` moves of ``games`` concurrent games (tree reuse on), the number of
    simulations, and the process CPU seconds per simulation (steadier than wall time on a busy machine)."""
    config = SearchConfig(num_simulations=sims, leaves_per_tree=leaves)
    search = MCTS(task, evaluator, config, num_games=games)
    rng = np.random.default_rng(seed)
    states = [task.initial_state() for _ in range(games)]
    search.search(states, rng, add_noise=True, num_simulations=2)  # compile / warm up
    search.reset()
    done = 0
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(moves):
        out = search.search(states, rng, add_noise=True)
        done += games * sims
        for game, action in enumerate(out.action.tolist()):
            states[game], _ = task.step(states[game], action)
            if task.is_terminal(states[game]):
                states[game] = task.initial_state()
                search.reset(game)
            else:
                search.advance(game, action)
    return done / (time.perf_counter() - start), done, (time.process_time() - cpu) / done


def network_rate(task, evaluator, batch: int, seconds: float = 3.0) -> float:
    """Evaluations/s of the evaluator alone on batches of ``batch`` mid-game states."""
    rng = np.random.default_rng(1)
    states = []
    for _ in range(batch):
        state = task.initial_state()
        for _ in range(int(rng.integers(0, 12))):
            state, _ = task.step(state, int(rng.choice(np.flatnonzero(task.legal_mask(state)))))
            if task.is_terminal(state):
                state = task.initial_state()
        states.append(state)
    evaluator.evaluate(task, states)
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        evaluator.evaluate(task, states)
        count += batch
    return count / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--game", default="connect_four_v3")
    parser.add_argument("--games", type=int, default=64)
    parser.add_argument("--leaves", type=int, default=8)
    parser.add_argument("--sims", type=int, default=100)
    parser.add_argument("--moves", type=int, default=4)
    parser.add_argument("--net", action="store_true", help="a 4x64 residual network instead of the uniform evaluator")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    args = parser.parse_args()
    task = make_task(args.game)
    if args.net:
        import torch

        if args.threads:
            torch.set_num_threads(args.threads)
        evaluator = residual_evaluator(task)
    else:
        evaluator = UniformEvaluator()
    rate, done, cpu = play(task, evaluator, args.games, args.leaves, args.sims, args.moves)
    print(f"{args.game}: {args.games} games x {args.leaves} leaves, {args.sims} sims/move: "
          f"{rate:,.0f} simulations/s ({done} simulations, {1e6 / rate:.1f} us wall, {1e6 * cpu:.1f} us CPU each)")
    if args.net:
        batch = args.games * args.leaves
        net = network_rate(task, evaluator, batch)
        print(f"network alone at batch {batch}: {net:,.0f} evaluations/s; search/network = {rate / net:.2f}")


if __name__ == "__main__":
    main()
