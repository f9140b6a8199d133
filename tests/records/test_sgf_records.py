"""SGF: go games written and read by sgfmill, converted to PettingZoo actions, through the real env."""

from __future__ import annotations

import pytest
from sgfmill import sgf

from az_pz.records import RecordError, read_records, read_sgf, replay, write_sgf
from tests.records.helpers import recorded_games


def test_recorded_go_games_round_trip_through_sgf(tmp_path):
    games = recorded_games(tmp_path / "go", "go_v5", n_games=2, board_size=5, komi=3.5)
    files = sorted((tmp_path / "go" / "sgf").glob("game-*.sgf"))
    assert len(files) == 2
    for record, path in zip(games, files):
        game = sgf.Sgf_game.from_bytes(path.read_bytes())
        assert game.get_size() == 5 and game.get_komi() == 3.5
        assert game.get_player_name("b") == "random" and game.get_player_name("w") == "random"
        winner = "b" if record.rewards["black_0"] > 0 else "w"
        assert game.get_winner() == winner and game.get_root().get("RE")[:2] == f"{winner.upper()}+"
        (back,) = read_sgf(path)
        assert back.actions == record.actions and back.rewards == record.rewards
        assert back.env_kwargs == {"board_size": 5, "komi": 3.5}
        assert len(list(replay(back))) == len(record.actions)  # PettingZoo's score agrees with RE
    write_sgf(tmp_path / "both.sgf", games)  # a collection
    assert [g.actions for g in read_records(tmp_path / "both.sgf")] == [g.actions for g in games]


def test_hand_written_sgf_moves_map_to_gtp_vertices(tmp_path):
    path = tmp_path / "g.sgf"
    path.write_text("(;GM[1]FF[4]SZ[9]KM[7.5]PB[Black]PW[White]RE[W+R];B[ee];W[cc];B[];W[ai])")
    (record,) = read_sgf(path)
    assert record.env_kwargs == {"board_size": 9, "komi": 7.5} and record.players == ["Black", "White"]
    # e5 = row 4 col 4; c7 = row 2 col 2; pass = 81; a1 = row 8 col 0
    assert record.actions == [4 * 9 + 4, 2 * 9 + 2, 81, 8 * 9 + 0]
    assert record.rewards == {"black_0": -1.0, "white_0": 1.0} and record.metadata["result"] == "W+R"
    assert [s.notation for s in replay(record)] == ["E5", "C7", "pass", "A1"]


@pytest.mark.parametrize("text, message", [
    ("(;GM[1]SZ[9]HA[2]AB[cc][gg];W[ee])", "handicap or setup stones"),
    ("(;GM[1]SZ[9];B[ee];B[cc])", r"ply 1: black moves out of turn"),
    ("(;GM[1]SZ[9];W[ee])", r"ply 0: white moves out of turn"),
    ("(;GM[1]SZ[21];B[ee])", "board size 21"),
    ("(;GM[1]SZ[9];B[ee];W[ee])", r"ply 1: illegal action 40"),
])
def test_bad_sgf_games_are_refused_with_the_reason(tmp_path, text, message):
    path = tmp_path / "bad.sgf"
    path.write_text(text)
    with pytest.raises(RecordError, match=message):
        for record in read_sgf(path):
            list(replay(record))


def test_unparsable_sgf_and_skipping(tmp_path):
    path = tmp_path / "x.sgf"
    path.write_text("not sgf at all")
    with pytest.raises(RecordError, match="x.sgf: not SGF"):
        list(read_sgf(path))
    path.write_text("(;GM[1]SZ[9];W[ee])(;GM[1]SZ[9];B[ee])")
    errors: list[RecordError] = []
    assert [r.actions for r in read_sgf(path, on_error=errors.append)] == [[40]]
    assert [e.index for e in errors] == [0]
