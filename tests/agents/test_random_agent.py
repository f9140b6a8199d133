import numpy as np

from az_pz.agents import RandomAgent, make
from az_pz.envs import make_aec_env

from agent_test_helpers import play


def test_random_agent_plays_only_legal_moves_in_every_classic_game():
    for game, kwargs in [("tictactoe_v3", {}), ("connect_four_v3", {}), ("chess_v6", {}), ("go_v5", {"board_size": 5})]:
        result = play(game, [RandomAgent(0), RandomAgent(1)], max_moves=200, **kwargs)
        assert result["moves"] > 0


def test_random_agent_is_reproducible_for_one_seed():
    env = make_aec_env("connect_four_v3")
    env.reset(seed=0)
    first = [RandomAgent(7).act(env) for _ in range(1)]
    agent = make("random:7")
    assert [agent.act(env)] == first
    agent.seed(7)
    again = [agent.act(env) for _ in range(20)]
    agent.seed(7)
    assert [agent.act(env) for _ in range(20)] == again
    assert len(set(again)) > 1


def test_random_agent_covers_all_legal_actions(rng):
    env = make_aec_env("tictactoe_v3")
    env.reset(seed=0)
    env.step(4)
    agent = RandomAgent(rng=rng)
    seen = {agent.act(env) for _ in range(300)}
    assert seen == set(range(9)) - {4}
    assert np.all([isinstance(a, int) for a in seen])
