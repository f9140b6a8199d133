"""Chess and go end to end: presets, `az-pz train` with env options, resume, engine opponents.

Tiny networks and a handful of simulations keep the whole file to well under a minute on CPU;
the engine games skip (with the reason) where Stockfish or GNU Go is not installed.
"""

from __future__ import annotations

import json

import pytest

from az_pz.agents.stockfish import find_engine
from az_pz.matches import play_game
from az_pz.checkpoint import latest_checkpoint
from az_pz.cli.train import main as train_main
from az_pz.config import preset
from az_pz.envs import make_aec_env

TINY = ["--device", "cpu", "--quiet", "--no-final-eval",
        "--network.num-blocks", "1", "--network.channels", "8", "--network.policy-channels", "2",
        "--network.value-hidden", "8", "--search.num-simulations", "4", "--search.leaves-per-tree", "2",
        "--selfplay.games-per-iteration", "2", "--selfplay.concurrent-games", "2",
        "--selfplay.fast-simulations", "2", "--selfplay.max-moves", "12",
        "--train.batch-size", "8", "--train.min-replay-size", "8", "--train.replay-capacity", "400",
        "--eval.every", "1", "--eval.games-vs-random", "2", "--eval.games-vs-rollout", "0"]


def _engine(name: str) -> str | None:
    try:
        return find_engine(name, None, f"AZ_PZ_{name.upper()}", "")
    except FileNotFoundError:
        return None


needs_stockfish = pytest.mark.skipif(_engine("stockfish") is None, reason=(
    "stockfish not found on PATH or in /usr/games (install: apt-get install stockfish)"))
needs_gnugo = pytest.mark.skipif(_engine("gnugo") is None, reason=(
    "gnugo not found on PATH or in /usr/games (install: apt-get install gnugo)"))


def test_presets_are_sized_per_board_and_device():
    cpu, gpu = preset("chess_v6"), preset("chess_v6", gpu=True)
    assert (gpu.network.num_blocks, gpu.network.channels) == (10, 128)
    assert cpu.network.channels < gpu.network.channels
    go9 = preset("go_v5", gpu=True, env_kwargs={"board_size": 9})
    assert (go9.network.num_blocks, go9.network.channels) == (6, 96)
    for size in (9, 13, 19):
        config = preset("classic/go-v5", env_kwargs={"board_size": size})
        assert config.env_kwargs == {"board_size": size, "komi": 7.5}
        assert config.selfplay.max_moves == 3 * size * size


def _train(tmp_path, name, argv):
    run = tmp_path / name
    assert train_main([*argv, "--run-dir", str(run), "--iterations", "1", *TINY]) == 0
    assert latest_checkpoint(run).name == "iter_0001"
    # A tyro option right after --resume must not be read as the game.
    assert train_main(["--resume", str(run), "--train.time-limit-s", "600", "--iterations", "2", "--quiet",
                       "--no-final-eval"]) == 0
    assert latest_checkpoint(run).name == "iter_0002"
    lines = (run / "metrics.jsonl").read_text().splitlines()
    assert [json.loads(line)["iteration"] for line in lines] == [1, 2]
    return run


@pytest.fixture(scope="module")
def go_run(tmp_path_factory):
    """`az-pz train go_v5 --env.board-size 9`, one iteration, then resumed for a second."""
    return _train(tmp_path_factory.mktemp("go"), "go9", ["go_v5", "--env.board-size", "9"])


@pytest.fixture(scope="module")
def chess_run(tmp_path_factory):
    return _train(tmp_path_factory.mktemp("chess"), "chess", ["chess_v6"])


def test_go_board_size_from_the_command_line(go_run):
    config = json.loads((go_run / "config.json").read_text())
    config = config.get("config", config)
    assert config["env_kwargs"]["board_size"] == 9


def test_resume_refuses_another_board_size(go_run, capsys):
    assert train_main(["--resume", str(go_run), "--env.board-size", "13", "--iterations", "3", "--quiet"]) == 1
    assert "env_kwargs" in capsys.readouterr().err


def test_chess_run_trains_and_resumes(chess_run):
    assert latest_checkpoint(chess_run).name == "iter_0002"


@needs_stockfish
def test_trained_chess_agent_against_stockfish_1320(chess_run):
    from az_pz.agents import make

    env = make_aec_env("chess_v6")
    engine = make("stockfish:1320")
    try:
        record = play_game(env, [make(f"alphazero:{chess_run}", device="cpu"), engine], seed=0, max_moves=6)
    finally:
        engine.close()
        env.close()
    assert len(record.actions) == 6 and record.truncated


@needs_gnugo
def test_trained_go_agent_against_gnugo_level_1(go_run):
    from az_pz.agents import make

    env = make_aec_env("go_v5", board_size=9)
    engine = make("gnugo:1")
    try:
        record = play_game(env, [engine, make(f"alphazero:{go_run}", device="cpu")], seed=0, max_moves=6)
    finally:
        engine.close()
        env.close()
    assert len(record.actions) <= 6
