import gymnasium as gym
import numpy as np
import pytest
from sb3_contrib import MaskablePPO
from stable_baselines3 import PPO

import az_pz  # noqa: F401  (registers the Gymnasium ids)
from az_pz.agents import make
from az_pz.agents.random import RandomAgent
from az_pz.agents.sb3 import SB3Agent
from az_pz.envs import make_aec_env

from agent_test_helpers import play


@pytest.fixture(scope="module")
def saved_models(tmp_path_factory):
    """A MaskablePPO and a plain PPO trained a few hundred steps on the connect four view, saved as zips."""
    folder = tmp_path_factory.mktemp("sb3")
    env = gym.make("az_pz/ConnectFour-v0", opponent="random", seat="random")
    masked = MaskablePPO("MlpPolicy", env, n_steps=128, batch_size=64, n_epochs=1, seed=0, device="cpu")
    masked.learn(256)
    masked.save(folder / "masked")
    plain = PPO("MlpPolicy", env, n_steps=128, batch_size=64, n_epochs=1, seed=0, device="cpu")
    plain.learn(128)
    plain.save(folder / "plain")
    return folder


def test_maskable_ppo_spec_plays_legal_moves_in_a_pettingzoo_loop(saved_models):
    agent = make(f"maskable_ppo:{saved_models / 'masked.zip'}")
    assert isinstance(agent, SB3Agent)
    for seed in range(3):
        play("connect_four_v3", [agent, RandomAgent(seed)], seed=seed)
        play("connect_four_v3", [RandomAgent(seed), agent], seed=seed)


def test_suffix_may_be_left_out(saved_models):
    assert isinstance(make(f"maskable_ppo:{saved_models / 'masked'}"), SB3Agent)


def test_model_sees_the_same_view_as_the_gymnasium_env(saved_models):
    agent = make(f"maskable_ppo:{saved_models / 'masked.zip'}")
    view = gym.make("az_pz/ConnectFour-v0", seat=1).unwrapped
    observation, _ = view.reset(seed=3)
    env = view.aec  # the live game the view plays on, now at the learner's turn
    expected, _ = agent.model.predict(observation, action_masks=view.action_masks(), deterministic=True)
    assert agent.act(env) == int(expected)


def test_plain_ppo_is_masked_so_never_illegal(saved_models):
    agent = make(f"ppo:{saved_models / 'plain.zip'}", deterministic=False, seed=0)
    env = make_aec_env("connect_four_v3")
    env.reset(seed=0)
    for _ in range(6):  # fill column 0 with alternating discs: column 0 becomes illegal
        env.step(0)
    mask = np.asarray(env.observe(env.agent_selection)["action_mask"])
    assert mask[0] == 0
    for _ in range(30):
        assert mask[agent.act(env)] == 1


def test_model_for_another_game_is_refused(saved_models):
    agent = make(f"maskable_ppo:{saved_models / 'masked.zip'}")
    env = make_aec_env("tictactoe_v3")
    env.reset(seed=0)
    with pytest.raises(ValueError, match="trained on this game"):
        agent.act(env)
