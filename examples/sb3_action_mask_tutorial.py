"""PettingZoo's SB3 action-mask tutorial evaluation, with an az_pz agent as the policy.

The evaluation loop of PettingZoo's "SB3: Action Masked PPO for Connect Four"
tutorial plays a trained model (seat ``player_1``) against a random agent,
calling ``model.predict(observation, action_masks=action_mask, deterministic=True)``
on every turn. ``AlphaZeroAgent`` has SB3's ``predict``, so the loop below is
the tutorial's with a single line changed: the line that loads the model.

    python examples/sb3_action_mask_tutorial.py runs/connect_four     # a run directory or a saved .zip
    python examples/sb3_action_mask_tutorial.py                        # trains a small run first (~2 minutes)
"""

from __future__ import annotations

import sys
from pathlib import Path

from pettingzoo.classic import connect_four_v3

from az_pz.agents.alphazero import AlphaZeroAgent


def eval_action_mask(env_fn, model_path, num_games=100, render_mode=None, **env_kwargs):
    """The tutorial's evaluation: the model plays seat 1 against a random agent; win rate excludes draws."""
    env = env_fn.env(render_mode=render_mode, **env_kwargs)
    print(f"Starting evaluation vs a random agent. Trained agent will play as {env.possible_agents[1]}.")

    # model = MaskablePPO.load(latest_policy)                      # the tutorial's line
    model = AlphaZeroAgent.load(model_path)                         # the one changed line

    scores = {agent: 0 for agent in env.possible_agents}
    total_rewards = {agent: 0 for agent in env.possible_agents}
    round_rewards = []
    for i in range(num_games):
        env.reset(seed=i)
        env.action_space(env.possible_agents[0]).seed(i)
        for agent in env.agent_iter():
            obs, reward, termination, truncation, info = env.last()
            observation, action_mask = obs.values()
            if termination or truncation:
                if env.rewards[env.possible_agents[0]] != env.rewards[env.possible_agents[1]]:
                    winner = max(env.rewards, key=env.rewards.get)
                    scores[winner] += env.rewards[winner]
                for a in env.possible_agents:
                    total_rewards[a] += env.rewards[a]
                round_rewards.append(env.rewards)
                break
            if agent == env.possible_agents[0]:
                act = env.action_space(agent).sample(action_mask)
            else:
                act = int(model.predict(observation, action_masks=action_mask, deterministic=True)[0])
            env.step(act)
    env.close()

    winrate = 0 if sum(scores.values()) == 0 else scores[env.possible_agents[1]] / sum(scores.values())
    print("Total rewards (incl. negative rewards): ", total_rewards)
    print("Winrate: ", winrate)
    print("Final scores: ", scores)
    return round_rewards, total_rewards, winrate, scores


def _train_small_run(run_dir: Path) -> None:
    from az_pz.config import preset
    from az_pz.train import Trainer

    print(f"no trained agent given: training a small connect four run in {run_dir} (about 2 minutes) ...")
    config = preset("connect_four_v3", device="cpu", train__time_limit_s=120.0, eval__every=0, eval__final_games=0,
                    selfplay__games_per_iteration=32, selfplay__concurrent_games=32)
    Trainer(config, run_dir=run_dir, device="cpu", progress=False).learn()


if __name__ == "__main__":
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("runs/sb3_tutorial_connect_four")
    if not path.exists():
        _train_small_run(path)
    eval_action_mask(connect_four_v3, path, num_games=100)
