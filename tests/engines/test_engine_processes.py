"""`az-pz uci` and `az-pz gtp` as processes, judged by real clients: python-chess against Stockfish, and a GTP
referee against GNU Go whose final_score must agree with PettingZoo's result."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time

import chess
import chess.engine
import numpy as np
import pytest

pytestmark = pytest.mark.engine


def _az_pz(*args: str) -> list[str]:
    exe = shutil.which("az-pz")
    if exe:
        return [exe, *args]
    return [sys.executable, "-c", "import sys; from az_pz.cli import main; sys.exit(main())", *args]


def _binary(name: str) -> str:
    from az_pz.agents.stockfish import find_engine

    try:
        return find_engine(name, None, f"AZ_PZ_{name.upper()}", f"apt-get install {name}")
    except FileNotFoundError as error:
        pytest.skip(str(error))


@pytest.fixture(scope="module")
def stockfish():
    engine = chess.engine.SimpleEngine.popen_uci(_binary("stockfish"))
    engine.configure({"Skill Level": 0})
    yield engine
    engine.quit()


@pytest.fixture(scope="module")
def az_uci(chess_run):
    engine = chess.engine.SimpleEngine.popen_uci(_az_pz("uci", str(chess_run)), timeout=120)
    engine.ping()  # isready: the network is loaded and warm before any clock runs, as GUIs do it
    yield engine
    engine.quit()


@pytest.mark.parametrize("az_white", [True, False])
def test_uci_plays_stockfish_on_a_clock_and_never_flags(az_uci, stockfish, az_white):
    """A 6-second sudden-death clock (1+0 in miniature: 3 s of reserve, 0.1 s for the first move), games cut at
    24 plies: every move legal, time left, and the engine did search."""
    assert az_uci.id["name"].startswith("az_pz")
    board = chess.Board()
    clock = 6.0
    spent = []
    while not board.is_game_over(claim_draw=True) and board.ply() < 24:
        if board.turn == az_white:
            began = time.perf_counter()
            limit = chess.engine.Limit(white_clock=clock if az_white else 6.0,
                                       black_clock=6.0 if az_white else clock)
            result = az_uci.play(board, limit, game="az-white" if az_white else "az-black")
            spent.append(time.perf_counter() - began)
            clock -= spent[-1]
            assert clock > 0, f"az-pz lost on time after {len(spent)} moves: {spent}"
        else:
            result = stockfish.play(board, chess.engine.Limit(depth=1))
        assert result.move in board.legal_moves
        board.push(result.move)
    assert len(spent) >= 5 and 0.05 < max(spent) < 6.0 / 4


def test_uci_analyse_returns_a_score_and_a_legal_pv(az_uci):
    board = chess.Board()
    for move in ("e2e4", "c7c5", "g1f3"):
        board.push_uci(move)
    info = az_uci.analyse(board, chess.engine.Limit(nodes=64))
    assert isinstance(info["score"].relative.score(), int)
    pv = info["pv"]
    assert pv and info["nodes"] >= 64
    replay = board.copy()
    for move in pv:
        assert move in replay.legal_moves
        replay.push(move)


def test_uci_infinite_analysis_stops_on_demand(az_uci):
    board = chess.Board()
    analysis = az_uci.analysis(board)
    time.sleep(1.0)
    began = time.perf_counter()
    analysis.stop()
    best = analysis.wait()
    assert time.perf_counter() - began < 2.0
    assert best.move in board.legal_moves
    assert analysis.info.get("nodes", 0) > 0 and "score" in analysis.info


def test_gtp_plays_gnugo_both_colours_and_the_scores_agree(go_run):
    """Referee games on 5x5 (komi 7.5): GNU Go's final_score names the winner PettingZoo's env gives."""
    from pettingzoo.classic import go_v5

    from az_pz.agents.gnugo import gtp_to_action
    from az_pz.engines.referee import GtpProcess, play_gtp_game

    gnugo = [_binary("gnugo"), "--mode", "gtp", "--level", "1", "--chinese-rules", "--capture-all-dead"]
    with GtpProcess(_az_pz("gtp", str(go_run), "--simulations", "8")) as az, GtpProcess(gnugo) as gnu:
        for black, white in ((az, gnu), (gnu, az)):
            game = play_gtp_game(black, white, size=5, komi=7.5, max_moves=150, scorer=gnu)
            assert game.end == "passes", game
            assert game.scorer_winner == game.winner, game
            assert abs(float(game.scorer_result[2:] or 0)) == abs(game.score), game  # dead stones were removed
            env = go_v5.env(board_size=5, komi=7.5)
            env.reset(seed=0)
            for _, vertex in game.moves:
                env.step(gtp_to_action(vertex, 5))
            rewards = np.array([env.rewards["black_0"], env.rewards["white_0"]])
            assert env.terminations["black_0"] and rewards[0] == (1 if game.winner == "B" else -1), game


def test_gtp_process_survives_a_damaged_network_file(tmp_path):
    broken = tmp_path / "agent.zip"
    broken.write_bytes(b"PK\x03\x04" + b"\x00" * 64)
    result = subprocess.run(_az_pz("gtp", str(broken)), input="1 name\n2 genmove black\n3 protocol_version\nquit\n",
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0
    answers = [block for block in result.stdout.split("\n\n") if block]
    assert answers[0] == "=1 az_pz (agent.zip)"
    assert answers[1].startswith("?2 cannot load the agent")
    assert answers[2] == "=3 2"


def test_missing_agent_path_is_a_usage_error(tmp_path):
    result = subprocess.run(_az_pz("uci", str(tmp_path / "nowhere")), capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "does not exist" in result.stderr
