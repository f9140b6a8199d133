from az_pz.agents import make
from az_pz.agents.mcts import MCTSAgent
from az_pz.envs import make_aec_env

from agent_test_helpers import play


def _connect_four_after(moves):
    env = make_aec_env("connect_four_v3")
    env.reset(seed=0)
    for move in moves:
        env.step(move)
    return env


def test_mcts_takes_an_immediate_win_from_either_seat():
    # player_0 has three in column 3; it wins by playing 3.
    env = _connect_four_after([3, 0, 3, 0, 3, 1])
    assert MCTSAgent(200, seed=0).act(env) == 3
    # player_1 has three in column 0 and player_0 just played elsewhere.
    env = _connect_four_after([3, 0, 4, 0, 6, 0, 6])
    assert make("mcts:200", seed=0).act(env) == 0


def test_mcts_blocks_an_immediate_loss():
    env = _connect_four_after([3, 0, 3, 1, 3])  # player_1 must block column 3
    assert MCTSAgent(300, seed=0).act(env) == 3


def test_mcts_same_seed_same_move():
    env = _connect_four_after([3, 3, 2])
    moves = {MCTSAgent(50, seed=5).act(env) for _ in range(3)}
    assert len(moves) == 1


def test_mcts_plays_full_games_legally_from_both_seats():
    for seats in ([make("mcts:16", seed=0), make("random:0")], [make("random:1"), make("mcts:16", seed=1)]):
        result = play("tictactoe_v3", seats)
        assert result["moves"] >= 5


def test_mcts_spec_sets_the_budget():
    assert make("mcts:37").config.num_simulations == 37
