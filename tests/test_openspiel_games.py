"""OpenSpiel's games end to end: the bots as opponents, the preset for games of unknown kind, a short training."""

from __future__ import annotations

import pytest

pytest.importorskip("pyspiel", reason="OpenSpiel's games need az_pz[openspiel] (open-spiel)")
pytest.importorskip("shimmy", reason="OpenSpiel's games need az_pz[openspiel] (shimmy)")

from az_pz.agents.alphazero import AlphaZeroAgent  # noqa: E402
from az_pz.agents import make  # noqa: E402
from az_pz.matches import evaluate  # noqa: E402
from az_pz.config import preset  # noqa: E402
from az_pz.search import SearchConfig  # noqa: E402
from az_pz.train import Trainer  # noqa: E402
from learning_helpers import tiny_config  # noqa: E402


def test_openspiel_mcts_beats_openspiel_random() -> None:
    result = evaluate("openspiel_mcts:50", "openspiel_random", "openspiel:hex", n_games=6, board_size=3)
    assert result.losses == 0 and result.wins == 6, result  # 3x3 hex: search finds the win from either seat


def test_openspiel_bots_play_against_az_pz_agents_and_refuse_other_envs() -> None:
    result = evaluate("mcts:30", "openspiel_mcts:30", "openspiel:tic_tac_toe", n_games=4)
    assert result.wins + result.draws + result.losses == 4  # az_pz's MCTS acts on the same live Shimmy env
    from pettingzoo.classic import connect_four_v3

    env = connect_four_v3.env()
    env.reset()
    with pytest.raises(ValueError, match="openspiel:GAME"):
        make("openspiel_mcts:10").act(env)
    with pytest.raises(ValueError, match="integer"):
        make("openspiel_mcts:many")


def test_preset_for_games_of_unknown_kind() -> None:
    hex5 = preset("openspiel:hex", env_kwargs={"board_size": 5})
    assert hex5.network.kind == "resnet" and hex5.env_kwargs == {"board_size": 5, "to_play_plane": True}
    assert (hex5.selfplay.backend, hex5.selfplay.workers) == ("processes", 2)  # pyspiel steps in one core each
    othello = preset("openspiel:othello")
    assert othello.network.kind == "resnet" and othello.env_kwargs == {}  # its tensor is the mover's view
    mancala = preset("openspiel:mancala")
    assert mancala.network.kind == "mlp"  # a flat feature vector: no board to convolve
    breakthrough = preset("openspiel:breakthrough")
    assert breakthrough.search.num_simulations > hex5.search.num_simulations  # more moves to choose from
    assert breakthrough.search.dirichlet_alpha < hex5.search.dirichlet_alpha
    with pytest.raises(ValueError, match="chance nodes"):
        preset("openspiel:backgammon")


def _train_tictactoe(tmp_path, iterations: int, **overrides) -> Trainer:
    config = tiny_config("openspiel:tic_tac_toe", network__mlp_hidden=64, search__num_simulations=16,
                         selfplay__games_per_iteration=64, selfplay__concurrent_games=64, selfplay__full_search_prob=1.0,
                         selfplay__temperature_moves=4, train__iterations=iterations, train__sample_reuse=3.0,
                         train__batch_size=64, train__min_replay_size=64, train__learning_rate=3e-3, **overrides)
    assert config.env_kwargs == {"to_play_plane": True}  # OpenSpiel's tic-tac-toe tensor does not say who moves
    trainer = Trainer(config, run_dir=tmp_path / "ttt", progress=False, tensorboard=False)
    trainer.learn()
    return trainer


def _network_alone(trainer: Trainer) -> AlphaZeroAgent:
    """The trained network's policy without search (search alone would beat random play)."""
    return AlphaZeroAgent(trainer.task, trainer.network, search=SearchConfig(num_simulations=0), device="cpu")


def test_short_training_beats_random_play(tmp_path) -> None:
    trainer = _train_tictactoe(tmp_path, iterations=6)
    # On live Shimmy envs (state_from_env), against OpenSpiel's random bot, seats alternated.
    result = evaluate(_network_alone(trainer), "openspiel_random", "openspiel:tic_tac_toe", n_games=60)
    assert result.mean_score > 0.68, result  # random against random scores 0.5, sd 0.06
    loaded = AlphaZeroAgent.load(tmp_path / "ttt", device="cpu")  # the checkpoint rebuilds the same task
    assert loaded.task.spec == trainer.task.spec


@pytest.mark.slow
def test_longer_training_beats_random_play_clearly(tmp_path) -> None:
    trainer = _train_tictactoe(tmp_path, iterations=25, network__num_blocks=2)
    result = evaluate(_network_alone(trainer), "openspiel_random", "openspiel:tic_tac_toe", n_games=100)
    assert result.mean_score > 0.85, result


def test_cli_info_lists_openspiel_games_and_shows_the_layout(capsys) -> None:
    from az_pz.cli import main as cli_main

    assert cli_main(["info", "--openspiel"]) == 0
    out = capsys.readouterr().out
    assert "openspiel:othello" in out and "openspiel:hex" in out
    refused = {line.split()[0]: line for line in out.splitlines() if line.startswith("  ") and ":" not in line.split()[0]}
    assert "chance nodes" in refused["backgammon"] and "imperfect information" in refused["kuhn_poker"]
    assert cli_main(["info", "openspiel:hex", "--env", "board_size=5"]) == 0
    out = capsys.readouterr().out
    assert "9x5x5 -> 25" in out and "chw (OpenSpiel observation tensor)" in out


def test_cli_train_takes_game_parameters(tmp_path, capsys) -> None:
    from az_pz.cli import main as cli_main

    run = tmp_path / "hex3"
    code = cli_main(["train", "openspiel:hex", "--env.board_size", "3", "--run-dir", str(run), "--quiet",
                     "--no-final-eval", "--train.iterations", "1", "--train.time-limit-s", "None",
                     "--selfplay.games-per-iteration", "4", "--selfplay.concurrent-games", "4",
                     "--search.num-simulations", "8", "--selfplay.fast-simulations", "4", "--eval.every", "0",
                     "--train.min-replay-size", "8"])
    assert code == 0
    from az_pz.checkpoint import read_run_config

    config, task_json = read_run_config(run)
    assert config.game == "openspiel:hex" and config.env_kwargs == {"board_size": 3, "to_play_plane": True}
    assert task_json["phases"][0]["observation_shape"] == [10, 3, 3]  # OpenSpiel's 9 planes and the seat to move
