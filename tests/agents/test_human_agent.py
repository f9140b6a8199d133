import io

import chess
import pytest

from az_pz.agents import make
from az_pz.agents.human import HumanAgent, HumanQuit, legal_moves_text, parse_move, render_text
from az_pz.agents.stockfish import move_to_action
from az_pz.envs import make_aec_env


def _scripted(lines):
    lines = iter(lines)
    return lambda prompt: next(lines)


def test_human_retries_until_a_legal_move_and_shows_the_board():
    env = make_aec_env("connect_four_v3")
    env.reset(seed=0)
    out = io.StringIO()
    agent = HumanAgent(input_fn=_scripted(["9", "left", "3"]), output=out)
    assert agent.act(env) == 3
    text = out.getvalue()
    assert "legal moves" in text and "0 1 2 3 4 5 6" in text
    assert text.count("not a legal move") == 2


def test_quit_and_end_of_input_raise_human_quit():
    env = make_aec_env("tictactoe_v3")
    env.reset(seed=0)
    with pytest.raises(HumanQuit):
        HumanAgent(input_fn=_scripted(["quit"]), output=io.StringIO()).act(env)

    def eof(prompt):
        raise EOFError

    with pytest.raises(HumanQuit):
        HumanAgent(input_fn=eof, output=io.StringIO()).act(env)


def test_chess_moves_in_san_uci_or_action_number():
    env = make_aec_env("chess_v6")
    env.reset(seed=0)
    expected = move_to_action(chess.Move.from_uci("g1f3"), False)
    assert parse_move(env, "Nf3") == expected
    assert parse_move(env, "g1f3") == expected
    assert parse_move(env, str(expected)) == expected
    assert parse_move(env, "Ke2") is None
    assert "Nf3" in legal_moves_text(env)
    assert "White to move" in render_text(env)


def test_go_moves_in_gtp_vertices():
    env = make_aec_env("go_v5", board_size=5)
    env.reset(seed=0)
    assert parse_move(env, "a5") == 0
    assert parse_move(env, "pass") == 25
    env.step(0)
    assert "X" in render_text(env)
    assert parse_move(env, "A5") is None


def test_registry_builds_the_human_agent():
    assert isinstance(make("human"), HumanAgent)
