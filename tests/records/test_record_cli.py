"""``--record DIR`` on az-pz eval/arena and ``az-pz replay`` on the files they keep."""

from __future__ import annotations

import pytest

from az_pz.cli import main
from az_pz.records import read_records


def test_eval_keeps_games_and_replay_prints_them(tmp_path, capsys):
    out = tmp_path / "c4"
    assert main(["eval", "connect_four_v3", "random", "--opponent", "mcts:4", "--games", "2", "--record", str(out)]) == 0
    games = list(read_records(out / "games.jsonl"))
    assert [g.players for g in games] == [["random", "mcts:4"], ["mcts:4", "random"]]
    capsys.readouterr()
    assert main(["replay", str(out / "games.jsonl"), "--game", "2"]) == 0
    text = capsys.readouterr().out
    assert "=== game 2: connect_four_v3" in text and "player_0: mcts:4" in text
    assert f"{len(games[1].actions):>4}. " in text and "result: " in text and "0 1 2 3 4 5 6" in text


def test_arena_keeps_chess_pgn_and_go_sgf(tmp_path, capsys):
    assert main(["arena", "chess_v6", "random", "random", "--games", "2", "--max-moves", "20", "--no-progress",
                 "--record", str(tmp_path / "chess")]) == 0
    assert [len(g.actions) for g in read_records(tmp_path / "chess" / "games.pgn")] == [20, 20]
    assert main(["arena", "go_v5", "random", "random", "--games", "2", "--env", "board_size=5", "--no-progress",
                 "--record", str(tmp_path / "go")]) == 0
    assert len(list(read_records(tmp_path / "go" / "sgf"))) == 2
    assert "kept 2 games" in capsys.readouterr().out


def test_replay_of_a_bad_file_is_one_line_and_exit_1(tmp_path, capsys):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"format": "az_pz.game/1", "game": "connect_four_v3"}\n')
    assert main(["replay", str(path)]) == 1
    err = capsys.readouterr().err
    assert "line 1, game 1: missing fields" in err
    with pytest.raises(SystemExit) as stop:  # refused by the parser: usage, one line
        main(["replay", str(path), "--game", "0"])
    assert stop.value.code == 2 and "--game: must be at least 1" in capsys.readouterr().err
