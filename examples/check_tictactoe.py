"""Check that a trained tic-tac-toe agent plays perfectly.

    python examples/check_tictactoe.py RUN_DIR [--games 200] [--simulations N]

Two figures, against an exact minimax solution of the game:

1. games against a minimax player (random choice among its optimal moves), half from each seat,
   played in real PettingZoo ``tictactoe_v3`` envs through ``agent.act(env)``: perfect play loses none;
2. the agent's default move in *every* reachable non-terminal position: the share that is
   game-theoretically optimal (keeps the position's minimax value). Perfect play: >= 99%.

Exit status 0 when both hold.
"""

from __future__ import annotations

import argparse
import functools
import time

import numpy as np
import torch

from az_pz.agents.alphazero import AlphaZeroAgent
from az_pz.games import make_task


def solver(task):
    """``value(state)``: minimax value for the player to move; ``best(state)``: its optimal actions."""

    @functools.lru_cache(maxsize=None)
    def action_values(state) -> tuple[float, ...]:
        mover = task.to_play(state)
        out = []
        for action in range(task.spec.max_actions):
            if not task.legal_mask(state)[action]:
                out.append(-np.inf)
                continue
            child, rewards = task.step(state, action)
            future = 0.0 if task.is_terminal(child) else _value_for(child, mover)
            out.append(float(rewards[mover]) + future)
        return tuple(out)

    def _value_for(state, seat: int) -> float:
        value = max(action_values(state))
        return value if task.to_play(state) == seat else -value  # two-player zero-sum

    def best(state) -> set[int]:
        values = np.array(action_values(state))
        return set(np.flatnonzero(values == values.max()).tolist())

    return best


def reachable(task) -> list:
    seen, stack, out = set(), [task.initial_state()], []
    while stack:
        state = stack.pop()
        if state in seen or task.is_terminal(state):
            continue
        seen.add(state)
        out.append(state)
        for action in np.flatnonzero(task.legal_mask(state)):
            stack.append(task.step(state, int(action))[0])
    return out


def play_games(agent, task, best, games: int, rng: np.random.Generator) -> dict[str, int]:
    result = {"wins": 0, "draws": 0, "losses": 0}
    for game in range(games):
        agent_seat = game % 2
        env = task.make_env()
        env.reset(seed=game)
        agent.reset()
        returns = {}
        for name in env.agent_iter():
            _, reward, termination, truncation, _ = env.last()
            if termination or truncation:
                returns[name] = reward
                env.step(None)
                continue
            seat = env.possible_agents.index(name)
            if seat == agent_seat:
                action = agent.act(env)
            else:
                action = int(rng.choice(sorted(best(task.state_from_env(env)))))
            env.step(action)
        mine = returns[env.possible_agents[agent_seat]]
        result["wins" if mine > 0 else "losses" if mine < 0 else "draws"] += 1
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run", help="run directory, checkpoint directory or saved agent .zip")
    parser.add_argument("--games", type=int, default=200, help="games against minimax, half from each seat")
    parser.add_argument("--simulations", type=int, help="search simulations per move (default: the run's)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(1)  # tiny batches: one thread is fastest, above all on busy cores
    overrides = {"num_simulations": args.simulations} if args.simulations is not None else {}
    agent = AlphaZeroAgent.load(args.run, device="cpu", **overrides)
    task = make_task("tictactoe_v3")
    best = solver(task)

    start = time.perf_counter()
    states = reachable(task)
    choices = np.concatenate([agent.select_actions(states[i : i + 256]) for i in range(0, len(states), 256)])
    optimal = sum(int(a) in best(s) for s, a in zip(states, choices))
    share = optimal / len(states)
    print(f"optimal moves: {optimal}/{len(states)} reachable non-terminal positions = {100 * share:.2f}%")

    result = play_games(agent, task, best, args.games, np.random.default_rng(args.seed))
    print(f"vs minimax ({args.games} games, seats alternated): "
          f"W/D/L {result['wins']}/{result['draws']}/{result['losses']}")
    print(f"search simulations per move: {agent.search_config.num_simulations}; "
          f"check took {time.perf_counter() - start:.1f}s")
    perfect = result["losses"] == 0 and share >= 0.99
    print("PERFECT PLAY" if perfect else "NOT PERFECT")
    return 0 if perfect else 1


if __name__ == "__main__":
    raise SystemExit(main())
