import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env
from sb3_contrib import MaskablePPO
from sb3_contrib.common.maskable.evaluation import evaluate_policy as maskable_evaluate_policy
from stable_baselines3.common.env_checker import check_env as sb3_check_env
from stable_baselines3.common.evaluation import evaluate_policy

import az_pz  # noqa: F401  (registers the Gymnasium ids)
from az_pz.agents import RandomAgent
from az_pz.envs import GYM_IDS, SingleAgentEnv

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

CASES = [
    ("az_pz/TicTacToe-v0", {}),
    ("az_pz/ConnectFour-v0", {"seat": "random"}),
    ("az_pz/Chess-v0", {"seat": 1}),
    ("az_pz/Go-v0", {"board_size": 5}),
]


def test_all_ids_are_registered_on_import():
    assert set(GYM_IDS) <= set(gym.registry)


@pytest.mark.parametrize("env_id,kwargs", CASES)
def test_gymnasium_and_sb3_env_checkers_pass(env_id, kwargs):
    env = gym.make(env_id, **kwargs)
    assert env.observation_space is not None and env.action_space is not None  # before any reset
    check_env(env.unwrapped)
    sb3_check_env(env.unwrapped, warn=True)
    env.close()


def test_module_prefixed_make_and_spaces():
    env = gym.make("az_pz:az_pz/ConnectFour-v0")
    assert env.observation_space.shape == (6, 7, 2)
    assert env.action_space.n == 7
    observation, info = env.reset(seed=0)
    assert env.observation_space.contains(observation)
    assert info["action_mask"].shape == (7,)


def test_episode_reward_is_the_learner_result_and_masks_are_legal():
    env = gym.make("az_pz/TicTacToe-v0", opponent=RandomAgent(0), seat="random")
    rng = np.random.default_rng(0)
    outcomes = set()
    for episode in range(30):
        env.reset(seed=episode)
        done = False
        while not done:
            mask = env.unwrapped.action_masks()
            assert mask.dtype == bool and mask.any()
            _, reward, terminated, truncated, info = env.step(int(rng.choice(np.flatnonzero(mask))))
            assert "illegal_action" not in info
            done = terminated or truncated
        outcomes.add(reward)
    assert outcomes <= {-1.0, 0.0, 1.0} and {-1.0, 1.0} <= outcomes


def test_opponent_moves_first_when_the_learner_holds_seat_one():
    env = SingleAgentEnv("connect_four_v3", opponent="random", seat=1)
    observation, info = env.reset(seed=0)
    assert info["seat"] == 1
    assert observation[..., 1].sum() == 1 and observation[..., 0].sum() == 0  # one opponent disc, none of ours


def test_same_seed_same_episode_with_random_seat_and_opponent():
    def rollout(seed):
        env = SingleAgentEnv("connect_four_v3", opponent="mcts:8", seat="random")
        observation, info = env.reset(seed=seed)
        trace = [observation.tobytes(), info["seat"]]
        for _ in range(4):
            observation, reward, terminated, truncated, _ = env.step(int(np.flatnonzero(env.action_masks())[0]))
            trace.append(observation.tobytes())
            if terminated or truncated:
                break
        return trace

    assert rollout(3) == rollout(3)


def test_illegal_action_ends_the_episode_with_the_illegal_reward():
    env = SingleAgentEnv("tictactoe_v3", opponent="random", seat=0, illegal_reward=-2.0)
    env.reset(seed=0)
    env.step(4)
    occupied = int(np.flatnonzero(~env.action_masks())[0])
    _, reward, terminated, _, info = env.step(occupied)
    assert terminated and reward == -2.0 and info["illegal_action"]
    with pytest.raises(RuntimeError):
        env.step(0)


def test_bad_seat_is_refused():
    with pytest.raises(ValueError):
        SingleAgentEnv("connect_four_v3", seat=2)


def test_render_ansi():
    env = gym.make("az_pz/ConnectFour-v0", render_mode="ansi")
    env.reset(seed=0)
    assert "0 1 2 3 4 5 6" in env.render()


def test_maskable_ppo_trains_and_both_evaluate_policies_run_unchanged():
    env = gym.make("az_pz/ConnectFour-v0", opponent="random", seat="random")
    model = MaskablePPO("MlpPolicy", env, n_steps=128, batch_size=64, n_epochs=2, seed=0, device="cpu")
    model.learn(total_timesteps=256)
    mean, std = maskable_evaluate_policy(model, env, n_eval_episodes=6, warn=False)
    assert -1.0 <= mean <= 1.0
    mean, std = evaluate_policy(model, env, n_eval_episodes=3, warn=False)  # unmasked: illegal moves lose
    assert -2.0 <= mean <= 1.0


def test_sb3_make_vec_env_and_evaluate_policy_over_several_envs():
    """make_vec_env asks for render_mode="rgb_array" and falls back only on a TypeError."""
    from stable_baselines3.common.env_util import make_vec_env

    with pytest.raises(TypeError, match="render_mode must be one of"):
        gym.make("az_pz/ConnectFour-v0", render_mode="rgb_array")
    venv = make_vec_env("az_pz/ConnectFour-v0", n_envs=2, seed=0, env_kwargs={"opponent": "random"})

    class MaskedRandom:  # predict with SB3's batched signature
        rng = np.random.default_rng(0)

        def predict(self, observation, state=None, episode_start=None, deterministic=False, action_masks=None):
            return np.array([self.rng.choice(np.flatnonzero(m)) for m in action_masks]), None

    mean, _ = maskable_evaluate_policy(MaskedRandom(), venv, n_eval_episodes=4, warn=False)
    assert -1.0 <= mean <= 1.0
    venv.close()


def test_an_opponent_trained_on_another_game_is_refused_at_construction():
    from az_pz.agents.alphazero import AlphaZeroAgent
    from az_pz.config import NetworkConfig
    from az_pz.network import AlphaZeroNetwork

    task = az_pz.make_task("tictactoe_v3")
    opponent = AlphaZeroAgent(task, AlphaZeroNetwork(task.spec, NetworkConfig()), device="cpu")
    with pytest.raises(ValueError, match="plays 'tictactoe_v3', not 'connect_four_v3'"):
        gym.make("az_pz/ConnectFour-v0", opponent=opponent)
