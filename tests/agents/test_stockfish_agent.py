import chess
import numpy as np
import pytest
from pettingzoo.classic.chess import chess_utils

from az_pz.agents import make
from az_pz.agents.random import RandomAgent
from az_pz.agents.stockfish import StockfishAgent, action_to_move, find_engine, move_to_action
from az_pz.envs import make_aec_env

from agent_test_helpers import play


def _stockfish() -> str | None:
    try:
        return find_engine("stockfish", None, "AZ_PZ_STOCKFISH", "")
    except FileNotFoundError:
        return None


needs_stockfish = pytest.mark.skipif(
    _stockfish() is None,
    reason="stockfish binary not found on PATH or in /usr/games (install: apt-get install stockfish)",
)


def test_move_action_conversion_matches_pettingzoo_on_random_games():
    """Every legal move maps onto the env's mask, and back through PettingZoo's own decoder."""
    env = make_aec_env("chess_v6")
    rng = np.random.default_rng(0)
    for game in range(3):
        env.reset(seed=game)
        for name in env.agent_iter(max_iter=120):
            observation, _, termination, truncation, _ = env.last()
            if termination or truncation:
                env.step(None)
                continue
            board = env.unwrapped.board
            black = not board.turn
            actions = sorted(move_to_action(m, black) for m in board.legal_moves)
            assert actions == list(np.flatnonzero(observation["action_mask"]))
            for move in board.legal_moves:
                action = move_to_action(move, black)
                assert chess_utils.action_to_move(board, action, int(black)) == move
                assert action_to_move(board, action) == move
            env.step(int(rng.choice(actions)))


@pytest.mark.parametrize("fen", ["8/P6k/8/8/8/8/6K1/8 w - - 0 1", "8/6K1/8/8/8/8/p6k/8 b - - 0 1",
                                 "1n5k/P7/8/8/8/8/6K1/8 w - - 0 1", "8/6K1/8/8/8/8/p6k/1N6 b - - 0 1"])
def test_promotions_and_underpromotions_for_both_colours(fen):
    board = chess.Board(fen)
    black = not board.turn
    actions = {move_to_action(m, black): m for m in board.legal_moves}
    assert len(actions) == board.legal_moves.count()  # no two moves share an action
    underpromotions = [m for m in board.legal_moves if m.promotion in (chess.KNIGHT, chess.BISHOP, chess.ROOK)]
    assert underpromotions
    assert sorted(actions) == sorted(chess_utils.legal_moves(board))  # also fills PettingZoo's lazy tables
    for action, move in actions.items():
        assert chess_utils.action_to_move(board, action, int(black)) == move
        plane = action % 73
        if move.promotion in (chess.KNIGHT, chess.BISHOP, chess.ROOK):
            assert plane >= 64
        elif move.promotion == chess.QUEEN:
            assert plane < 56


def test_missing_binary_says_how_to_install(monkeypatch):
    import az_pz.agents.stockfish as stockfish

    monkeypatch.setenv("PATH", "")
    monkeypatch.delenv("AZ_PZ_STOCKFISH", raising=False)
    monkeypatch.setattr(stockfish, "_SEARCH_DIRS", ())
    with pytest.raises(FileNotFoundError, match="apt-get install stockfish.*path="):
        StockfishAgent(1500)
    with pytest.raises(FileNotFoundError, match="not found at"):
        StockfishAgent(1500, path="/nonexistent/stockfish")


@pytest.mark.engine
@needs_stockfish
@pytest.mark.parametrize("spec", ["stockfish:1500", "stockfish:600"])
def test_stockfish_plays_legal_moves_from_both_seats(spec):
    engine = make(spec, time_limit=0.01)
    try:
        play("chess_v6", [engine, RandomAgent(0)], max_moves=40)
        play("chess_v6", [RandomAgent(1), engine], max_moves=40)
    finally:
        engine.close()


@pytest.mark.engine
@needs_stockfish
def test_stockfish_finds_mate_in_one_as_black():
    env = make_aec_env("chess_v6")
    env.reset(seed=0)
    for uci in ["f2f3", "e7e5", "g2g4"]:  # fool's mate: black mates with Qd8h4
        board = env.unwrapped.board
        env.step(move_to_action(chess.Move.from_uci(uci), not board.turn))
    with StockfishAgent(skill=20, time_limit=0.05) as engine:
        action = engine.act(env)
    assert action_to_move(env.unwrapped.board, action) == chess.Move.from_uci("d8h4")
    env.step(action)
    assert all(env.terminations.values())
    assert env.rewards["player_1"] == 1


@needs_stockfish
def test_script_that_never_closes_the_engine_exits_promptly():
    """python-chess's engine thread is not a daemon: without care the interpreter waits on it forever."""
    import subprocess
    import sys

    code = ("import pettingzoo\nfrom az_pz.agents import make\n"
            "env = pettingzoo.make('aec', 'classic/chess-v6'); env.reset(seed=0)\n"
            "agent = make('stockfish:1500'); print(agent.act(env))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.strip().splitlines()[-1]) >= 0


@needs_stockfish
def test_another_game_is_refused_by_name():
    env = make_aec_env("connect_four_v3")
    env.reset(seed=0)
    with StockfishAgent(1500) as agent, pytest.raises(ValueError, match="plays chess only, not 'connect_four_v3'"):
        agent.act(env)
