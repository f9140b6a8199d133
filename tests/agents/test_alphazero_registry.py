"""The registry's ``alphazero:`` path: run directories, checkpoints and saved zips, in live PettingZoo loops."""

import pytest

pytest.importorskip("az_pz.agents.alphazero", reason="az_pz.agents.alphazero (AlphaZeroAgent) is not available")

from az_pz.agents.alphazero import AlphaZeroAgent  # noqa: E402
from az_pz.agents import make  # noqa: E402
from az_pz.agents.random import RandomAgent  # noqa: E402
from az_pz.matches import evaluate  # noqa: E402

from agent_test_helpers import play  # noqa: E402


@pytest.fixture(scope="module")
def saved_zip(tmp_path_factory):
    """An untrained agent saved with ``save`` (fast: no training)."""
    from az_pz.config import NetworkConfig
    from az_pz.games import make_task
    from az_pz.network import AlphaZeroNetwork
    from az_pz.search import SearchConfig

    task = make_task("tictactoe_v3")
    agent = AlphaZeroAgent(task, AlphaZeroNetwork(task.spec, NetworkConfig(kind="mlp", mlp_hidden=16)),
                           search=SearchConfig(num_simulations=4), device="cpu")
    return agent.save(tmp_path_factory.mktemp("zip") / "agent")


def test_alphazero_spec_loads_a_saved_zip_and_plays_both_seats(saved_zip):
    agent = make(f"alphazero:{saved_zip}", device="cpu")
    assert isinstance(agent, AlphaZeroAgent)
    play("tictactoe_v3", [agent, RandomAgent(0)])
    play("tictactoe_v3", [RandomAgent(1), agent])
    assert evaluate(agent, "random", "tictactoe_v3", n_games=2).n_games == 2


def test_alphazero_as_the_opponent_of_the_gymnasium_view(saved_zip):
    import gymnasium as gym

    env = gym.make("az_pz/TicTacToe-v0", opponent=f"alphazero:{saved_zip}", seat=1)
    observation, info = env.reset(seed=0)
    assert observation.sum() == 1  # the agent moved first
    action, _ = make(f"alphazero:{saved_zip}", device="cpu").predict(observation, action_masks=info["action_mask"])
    _, _, _, _, info = env.step(int(action))
    assert "illegal_action" not in info


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    """A real (tiny) training run on tic-tac-toe with two checkpoints."""
    from az_pz.config import preset
    from az_pz.train import Trainer

    folder = tmp_path_factory.mktemp("run")
    config = preset("tictactoe_v3", device="cpu", train__iterations=2, train__keep_checkpoints=5,
                    train__min_steps_per_iteration=1, train__batch_size=32, selfplay__games_per_iteration=4,
                    search__num_simulations=4, eval__every=1000, eval__final_games=0)
    Trainer(config, run_dir=folder, device="cpu", progress=False, tensorboard=False).learn()
    return folder


@pytest.mark.slow
def test_alphazero_spec_loads_a_run_directory_and_plays_both_seats(run_dir):
    agent = make(f"alphazero:{run_dir}", device="cpu", num_simulations=4)
    assert isinstance(agent, AlphaZeroAgent)
    play("tictactoe_v3", [agent, RandomAgent(0)])
    play("tictactoe_v3", [RandomAgent(1), agent])


@pytest.mark.slow
def test_alphazero_spec_loads_a_checkpoint_and_a_saved_zip(run_dir, tmp_path):
    checkpoint = run_dir / "checkpoints" / "iter_0001"
    agent = make(f"alphazero:{checkpoint}", device="cpu")
    path = agent.save(tmp_path / "agent")
    again = make(f"alphazero:{path}", device="cpu", num_simulations=4)
    play("tictactoe_v3", [again, agent])


@pytest.mark.slow
def test_elo_over_training_rates_every_checkpoint(run_dir, tmp_path):
    from az_pz.elo_curve import elo_over_training

    result = elo_over_training(run_dir, references=["random"], games_per_pair=2, out_dir=tmp_path, num_simulations=4)
    assert {"iter_0001", "iter_0002", "random"} == set(result.names)
    assert (tmp_path / "elo_curve.png").read_bytes()[:4] == b"\x89PNG"
    assert (tmp_path / "elo_curve.csv").read_text().startswith("iteration,agent,elo")
