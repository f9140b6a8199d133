"""predict refuses observations no game shows (NaN, infinities, impossible boards), never a silent action."""

import numpy as np
import pytest

from az_pz.agents.alphazero import AlphaZeroAgent
from az_pz.config import NetworkConfig
from az_pz.games import make_task
from az_pz.network import AlphaZeroNetwork
from az_pz.search import SearchConfig


def _agent(game: str, simulations: int = 8) -> AlphaZeroAgent:
    task = make_task(game)
    network = AlphaZeroNetwork(task.spec, NetworkConfig(kind="mlp", num_blocks=1, mlp_hidden=16, value_hidden=8))
    return AlphaZeroAgent(task, network, search=SearchConfig(num_simulations=simulations), device="cpu")


def _observation(game: str, moves: list[int]) -> dict:
    env = make_task(game).make_env()
    env.reset(seed=0)
    for move in moves:
        env.step(move)
    return env.observe(env.agent_selection)


@pytest.mark.parametrize("simulations", [0, 8], ids=["network", "search"])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_and_infinities_are_refused(bad, simulations):
    agent = _agent("connect_four_v3", simulations)
    observation = _observation("connect_four_v3", [3, 3]).copy()
    board = observation["observation"].astype(np.float32)
    board[0, 0, 0] = bad
    with pytest.raises(ValueError, match="observation 0 holds NaN or infinity"):
        agent.predict(board, action_masks=observation["action_mask"])
    batch = np.stack([observation["observation"].astype(np.float32), board])
    with pytest.raises(ValueError, match="observation 1 holds NaN"):
        agent.predict(batch)


def test_connect_four_with_a_floating_piece_is_refused():
    agent = _agent("connect_four_v3")
    board = _observation("connect_four_v3", [3, 3]).copy()["observation"].copy()
    board[5, 3, :] = 0  # take out the bottom pieces of column 3: the piece above floats
    board[5, 2, 0] = board[5, 4, 1] = 1  # keep the counts right
    with pytest.raises(ValueError, match="floats above an empty cell"):
        agent.predict(board)


def test_overlapping_planes_and_impossible_counts_are_refused():
    agent = _agent("connect_four_v3")
    board = _observation("connect_four_v3", [3, 4]).copy()["observation"].copy()
    board[5, 3, 1] = 1  # both players on one cell
    with pytest.raises(ValueError, match="planes overlap"):
        agent.predict(board)
    ttt = _agent("tictactoe_v3")
    three = np.zeros((3, 3, 2), np.int8)
    three[0, :, 0] = 1  # three pieces of one side, none of the other
    with pytest.raises(ValueError, match="differ by at most one"):
        ttt.predict(three)
    half = np.zeros((3, 3, 2), np.float32)
    half[1, 1, 0] = 0.5
    with pytest.raises(ValueError, match="only 0 and 1"):
        ttt.predict(half)


def test_observations_of_real_games_still_predict_legal_moves():
    for game in ("tictactoe_v3", "connect_four_v3"):
        agent = _agent(game)
        env = make_task(game).make_env()
        rng = np.random.default_rng(1)
        for seed in range(5):
            env.reset(seed=seed)
            while not any(env.terminations.values()):
                observation = env.observe(env.agent_selection)
                action = int(agent.predict(observation)[0])
                assert observation["action_mask"][action]
                env.step(int(rng.choice(np.flatnonzero(observation["action_mask"]))))
