"""The UCI protocol, command by command, without a process (az_pz.engines.uci.UciEngine)."""

from __future__ import annotations

import threading
import time

import chess
import numpy as np
import pytest

from az_pz.engines import UciEngine, centipawns


class Session:
    """A UciEngine whose output lines are collected."""

    def __init__(self, agent) -> None:
        self.lines: list[str] = []
        self._lock = threading.Lock()
        self.engine = UciEngine(agent, self._write, background=False)

    def _write(self, line: str) -> None:
        with self._lock:
            self.lines.append(line)

    def send(self, *commands: str, wait: bool = True) -> list[str]:
        """Send commands; the lines they produced (after the search ended, unless ``wait`` is False)."""
        start = len(self.lines)
        for command in commands:
            self.engine.handle(command)
        if wait:
            self.engine.wait()
        return self.lines[start:]


def _infos(lines: list[str]) -> list[dict[str, str]]:
    out = []
    for line in lines:
        if line.startswith("info ") and " pv " in line:
            head, pv = line.split(" pv ", 1)
            words = head.split()[1:]
            fields = {words[i]: words[i + 1] for i in range(0, len(words) - 1, 2) if words[i] != "score"}
            fields["cp"] = words[words.index("cp") + 1]
            fields["pv"] = pv
            out.append(fields)
    return out


def _board(*moves: str, fen: str | None = None) -> chess.Board:
    board = chess.Board(fen) if fen else chess.Board()
    for move in moves:
        board.push_uci(move)
    return board


def _assert_legal_line(board: chess.Board, moves: list[str]) -> None:
    board = board.copy()
    for move in moves:
        assert chess.Move.from_uci(move) in board.legal_moves, (move, board.fen())
        board.push_uci(move)


def test_handshake_names_the_engine_and_its_options(chess_agent):
    session = Session(chess_agent)
    lines = session.send("uci")
    assert lines[0].startswith("id name az_pz") and lines[1].startswith("id author")
    options = [line for line in lines if line.startswith("option name ")]
    names = {line.split(" type ")[0][len("option name "):] for line in options}
    assert names == {"Simulations", "Batch", "Threads", "Device", "Move Overhead"}
    assert lines[-1] == "uciok"
    assert session.send("isready") == ["readyok"]


def test_go_nodes_reports_score_and_a_legal_pv_starting_with_bestmove(chess_agent):
    session = Session(chess_agent)
    lines = session.send("ucinewgame", "position startpos moves e2e4 e7e5 g1f3", "go nodes 48")
    assert lines[-1].startswith("bestmove ") and sum(line.startswith("bestmove") for line in lines) == 1
    best = lines[-1].split()[1]
    board = _board("e2e4", "e7e5", "g1f3")
    assert chess.Move.from_uci(best) in board.legal_moves
    final = _infos(lines)[-1]
    pv = final["pv"].split()
    assert pv[0] == best and int(final["depth"]) == len(pv)
    _assert_legal_line(board, pv)
    assert 48 <= int(final["nodes"]) <= 48 + 8
    assert abs(int(final["cp"])) <= 12800


def test_position_with_fen_and_moves_promotes(chess_agent):
    session = Session(chess_agent)
    fen = "8/1P6/8/8/8/8/6k1/K7 w - - 0 1"
    lines = session.send(f"position fen {fen} moves a1a2 g2g3", "go nodes 16")
    best = lines[-1].split()[1]
    assert chess.Move.from_uci(best) in _board("a1a2", "g2g3", fen=fen).legal_moves


def test_position_rebuilds_the_history_pettingzoo_observes(chess_agent):
    """A knight dance repeats the start twice: the engine's state shows what PettingZoo's env shows after the
    same moves (history and repetition planes)."""
    from pettingzoo.classic import chess_v6

    moves = ["g1f3", "g8f6", "f3g1", "f6g8", "g1f3", "g8f6", "f3g1"]
    session = Session(chess_agent)
    session.send("position startpos moves " + " ".join(moves))
    state = session.engine.position_state()
    env = chess_v6.env()
    env.reset(seed=0)
    task, replayed = chess_agent.task, chess_agent.task.initial_state()
    for move in moves:
        action = task.move_to_action(replayed, chess.Move.from_uci(move))
        env.step(action)
        replayed, _ = task.step(replayed, action)
    expected = env.observe(env.agent_selection)["observation"].transpose(2, 0, 1)
    np.testing.assert_array_equal(task.observe(state), expected)
    assert expected[7:].reshape(8, 13, 8, 8)[0, 12].all()  # the newest board's repetition plane is set


def test_bad_input_is_reported_and_the_engine_keeps_playing(chess_agent):
    session = Session(chess_agent)
    lines = session.send("position fen not/a/fen w - - 0 1", "go nodes 8")
    assert lines[0].startswith("info string position refused: bad FEN")
    assert lines[-1] == "bestmove 0000"
    lines = session.send("position startpos moves e2e5", "go nodes 8")
    assert "illegal move e2e5" in lines[0] and lines[-1] == "bestmove 0000"
    lines = session.send("position startpos moves e2e4 zz", "go nodes 8")
    assert "'zz' is not a move" in lines[0]
    assert session.send("frobnicate")[0].startswith("info string unknown command")
    assert "unknown option" in session.send("setoption name Hash value 16")[0]
    assert "integer" in session.send("setoption name Simulations value many")[0]
    assert session.send("setoption name Device value tpu:7")[0].startswith("info string option Device")
    lines = session.send("position startpos moves e2e4", "go nodes oops")
    assert "go nodes needs an integer" in lines[0] and lines[-1].startswith("bestmove ")
    assert lines[-1] != "bestmove 0000"


def test_finished_games_answer_the_null_move(chess_agent):
    session = Session(chess_agent)
    lines = session.send("position fen 7k/6Q1/6K1/8/8/8/8/8 b - - 0 1", "go nodes 8")  # black is mated
    assert "game is over" in lines[0] and lines[-1] == "bestmove 0000"


def test_claimable_draw_is_played_on_with_a_legal_move(chess_agent):
    """PettingZoo ends a game at a threefold repetition; a GUI may play on, and the engine answers anyway."""
    moves = ["g1f3", "g8f6", "f3g1", "f6g8"] * 2
    session = Session(chess_agent)
    lines = session.send("position startpos moves " + " ".join(moves), "go nodes 8")
    assert chess.Move.from_uci(lines[-1].split()[1]) in _board(*moves).legal_moves


def test_setoption_simulations_sets_the_budget_of_a_plain_go(chess_agent):
    session = Session(chess_agent)
    lines = session.send("setoption name Simulations value 24", "setoption name batch value 4",
                         "position startpos", "go")
    assert int(_infos(lines)[-1]["nodes"]) == 24


def test_infinite_search_waits_for_stop_and_answers_isready_meanwhile(chess_agent):
    session = Session(chess_agent)
    session.send("position startpos", "go infinite", wait=False)
    time.sleep(1.0)
    assert not any(line.startswith("bestmove") for line in session.lines)
    session.send("isready", wait=False)
    assert "readyok" in session.lines
    began = time.perf_counter()
    lines = session.send("stop")
    assert time.perf_counter() - began < 1.0  # stops within an increment
    assert lines[-1].startswith("bestmove ") and lines[-1] != "bestmove 0000"
    assert int(_infos(session.lines)[-1]["nodes"]) > 8


@pytest.mark.parametrize("command, limit_s", [("go movetime 400", 0.4), ("go wtime 3000 btime 3000", 0.5),
                                               ("go wtime 500 btime 60000", 0.25)])
def test_timed_searches_end_on_time(chess_agent, command, limit_s):
    session = Session(chess_agent)
    session.send("position startpos", "go nodes 8")  # the tree kernels and network are warm
    began = time.perf_counter()
    lines = session.send("ucinewgame", "position startpos", command)
    elapsed = time.perf_counter() - began
    assert lines[-1].startswith("bestmove ") and lines[-1] != "bestmove 0000"
    assert elapsed < limit_s + 0.15, (command, elapsed)


def test_tree_is_reused_along_the_game(chess_agent):
    session = Session(chess_agent)
    first = session.send("position startpos", "go nodes 200")
    reply = _infos(first)[-1]["pv"].split()[:2]
    if len(reply) < 2:
        pytest.skip("the search's line is a single move")
    lines = session.send(f"position startpos moves {' '.join(reply)}", "go nodes 8")
    assert int(_infos(lines)[-1]["nodes"]) > 8  # the subtree under the expected reply was kept


def test_damaged_network_file_is_reported_not_fatal(tmp_path):
    from az_pz.engines._loading import load_agent

    broken = tmp_path / "agent.zip"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    session = Session(lambda: load_agent(str(broken), device="cpu"))
    assert session.send("uci")[-1] == "uciok"
    lines = session.send("isready")
    assert lines[0].startswith("info string cannot load the agent") and lines[-1] == "readyok"
    lines = session.send("position startpos", "go nodes 8")
    assert lines[-1] == "bestmove 0000"


def test_agent_of_another_game_is_refused(go_agent):
    session = Session(go_agent)
    lines = session.send("position startpos", "go nodes 8")
    assert "plays 'go_v5'" in lines[0] and lines[-1] == "bestmove 0000"


def test_centipawns_follow_leelas_formula():
    assert centipawns(0.0) == 0
    assert centipawns(0.5) == -centipawns(-0.5) == round(111.714640912 * np.tan(1.5620688421 * 0.5))
    values = [centipawns(q) for q in np.linspace(-1, 1, 41)]
    assert values == sorted(values) and values[-1] == 12800 and centipawns(3.0) == 12800
