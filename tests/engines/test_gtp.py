"""The GTP protocol, command by command, without a process (az_pz.engines.gtp.GtpEngine)."""

from __future__ import annotations

import time

import pytest

from az_pz.agents.gnugo import action_to_gtp, gtp_to_action
from az_pz.engines import GtpEngine
from az_pz.engines.gtp import COMMANDS


@pytest.fixture
def gtp(go_agent) -> GtpEngine:
    return GtpEngine(go_agent, simulations=16)


def _board_after(engine: GtpEngine):
    return engine._game.states[-1]


def test_administrative_commands_and_ids(gtp):
    assert gtp.handle("protocol_version") == "= 2"
    assert gtp.handle("7 name") == "=7 az_pz"
    assert gtp.handle("version").startswith("= 0.")
    assert gtp.handle("known_command genmove") == "= true"
    assert gtp.handle("12 known_command kgs-chat") == "=12 false"
    assert gtp.handle("list_commands") == "= " + "\n".join(COMMANDS)
    assert gtp.handle("3 frobnicate") == "?3 unknown command"
    assert gtp.handle("") is None and gtp.handle("   # a comment") is None
    assert gtp.handle("4\tname # trailing comment\r") == "=4 az_pz"
    assert not gtp.finished
    assert gtp.handle("9 quit") == "=9" and gtp.finished


def test_boardsize_refuses_sizes_the_network_was_not_trained_for(gtp):
    assert gtp.handle("boardsize 9") == "? unacceptable size"
    assert gtp.handle("boardsize nine") == "? syntax error"
    assert gtp.handle("play black C3") == "="
    assert gtp.handle("boardsize 5") == "="  # clears the board
    assert _board_after(gtp).num_moves == 0


def test_play_genmove_undo_and_showboard(gtp):
    assert gtp.handle("play black C3") == "="
    assert gtp.handle("play white C3") == "? illegal move"  # occupied
    assert gtp.handle("play white Z9") == "? illegal move"  # off the board
    assert gtp.handle("play purple C3") == "? syntax error"
    answer = gtp.handle("genmove white")
    assert answer.startswith("= ")
    vertex = answer[2:]
    state = _board_after(gtp)
    assert state.num_moves == 2 and state.actions()[-1] == gtp_to_action(vertex, 5)
    board = gtp.handle("showboard")
    assert board.startswith("= \n") and "X" in board and len(board.splitlines()) == 1 + 5 + 3
    assert gtp.handle("undo") == "=" and _board_after(gtp).num_moves == 1
    assert gtp.handle("undo") == "=" and gtp.handle("undo") == "? cannot undo"


def test_out_of_turn_moves_insert_a_pass_and_undo_takes_both_back(gtp):
    assert gtp.handle("play black B2") == "="
    assert gtp.handle("play black D4") == "="  # handicap-style placement
    assert [action_to_gtp(a, 5) for a in _board_after(gtp).actions()] == ["B2", "pass", "D4"]
    assert gtp.handle("undo") == "="
    assert [action_to_gtp(a, 5) for a in _board_after(gtp).actions()] == ["B2"]


def test_opponent_pass_is_played_and_two_passes_end_the_game(gtp):
    assert gtp.handle("play black pass") == "="
    assert gtp.handle("play white pass") == "="
    assert gtp.handle("play black C3").startswith("? illegal move")
    assert gtp.handle("final_score") == "= W+7.5"  # an empty board: komi
    assert gtp.handle("genmove black") == "= pass"


def test_final_score_counts_area_with_komi(gtp):
    for command in ("play black C3", "play white pass", "komi 0.5"):
        assert gtp.handle(command) == "="
    assert gtp.handle("final_score") == "= B+24.5"
    assert gtp.handle("komi 25") == "=" and gtp.handle("final_score") == "= 0"
    assert gtp.handle("komi x") == "? syntax error"


def test_genmove_passes_only_when_the_search_allows_it(gtp):
    """The engine never passes first on an open board (GoTask.search_mask), so games are played out."""
    for _ in range(6):
        assert gtp.handle("genmove black") != "= pass"
        assert gtp.handle("genmove white") != "= pass"


def test_clock_commands_bound_the_thinking_time(go_agent):
    engine = GtpEngine(go_agent, simulations=100_000)
    assert engine.handle("time_settings 60 0 0") == "="
    assert engine.handle("time_left black 1 0") == "="
    began = time.perf_counter()
    assert engine.handle("genmove black").startswith("= ")
    assert time.perf_counter() - began < 0.5  # 1 s left, less than the reserve of 0.1 s a move: no search
    assert engine.handle("time_left white 5 5") == "="  # byo-yomi: 5 stones in 5 s, (5 - 5 x 0.1) / 5 s a move
    began = time.perf_counter()
    assert engine.handle("genmove white").startswith("= ")
    assert 0.6 < time.perf_counter() - began < 0.9 + 0.3
    assert engine.handle("time_settings 0 1 0") == "="  # no time limit: the simulations decide again
    assert engine.handle("time_settings x 1 0") == "? syntax error"


def test_resigns_when_the_value_is_hopeless(go_agent):
    engine = GtpEngine(go_agent, simulations=8, resign_threshold=1.5)  # every value is below 1.5
    assert engine.handle("genmove black") == "= resign"
    assert engine.handle("genmove white") == "= resign"  # out of turn: the pass put in for it goes too
    assert engine._game.states[-1].num_moves == 0


def test_damaged_network_file_is_reported_not_fatal(tmp_path):
    from az_pz.engines._loading import load_agent

    broken = tmp_path / "agent.zip"
    broken.write_bytes(b"\x00" * 100)
    engine = GtpEngine(lambda: load_agent(str(broken), device="cpu"))
    assert engine.handle("name") == "= az_pz"
    assert engine.handle("1 genmove black").startswith("?1 cannot load the agent")
    assert engine.handle("boardsize 5").startswith("? cannot load the agent")


def test_agent_of_another_game_is_refused(chess_agent):
    engine = GtpEngine(chess_agent)
    assert "plays 'chess_v6'" in engine.handle("genmove black")
