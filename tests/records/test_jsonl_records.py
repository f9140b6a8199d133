"""JSON-lines records: round trips through the real envs, and clear errors for malformed lines."""

from __future__ import annotations

import json

import numpy as np
import pytest

from az_pz.records import FORMAT, GameRecord, RecordError, final_env, read_jsonl, replay, write_jsonl
from tests.records.helpers import recorded_games


def test_connect_four_games_round_trip_and_replay(tmp_path):
    games = recorded_games(tmp_path / "c4", "connect_four_v3", n_games=3)
    line = json.loads((tmp_path / "c4" / "games.jsonl").read_text().splitlines()[0])
    assert line["format"] == FORMAT and line["seats"] == ["player_0", "player_1"]
    write_jsonl(tmp_path / "copy.jsonl", games)
    assert list(read_jsonl(tmp_path / "copy.jsonl")) == games
    for record in games:
        assert record.players == ["random", "random"]
        assert record.metadata["termination"] == "terminated" and sorted(record.rewards.values()) == [-1.0, 1.0]
        steps = list(replay(record))  # also checks the env's final rewards against the record's
        assert [s.action for s in steps] == record.actions
        assert [s.seat for s in steps[:2]] == ["player_0", "player_1"]
        env = final_env(record)
        np.testing.assert_array_equal(env.observe("player_0")["observation"], record.final_observation_array())


def _good(tmp_path) -> dict:
    return recorded_games(tmp_path / "g", "tictactoe_v3", n_games=1)[0].to_json()


@pytest.mark.parametrize("change, message", [
    (lambda d: d.update(format="az_pz.game/9"), "unknown record format"),
    (lambda d: d.update(game="classic.chess_v6.os"), "game must be a PettingZoo module name"),
    (lambda d: d.pop("actions"), "missing fields ['actions']"),
    (lambda d: d.update(extra=1), "unknown fields ['extra']"),
    (lambda d: d["actions"].append(-3), "non-negative integer"),
    (lambda d: d["actions"].append(True), "non-negative integer"),
    (lambda d: d["actions"].append("4"), "non-negative integer"),
    (lambda d: d["rewards"].pop("player_2"), "rewards must name every seat"),
    (lambda d: d.update(players=["only one"]), "2 seats but 1 players"),
    (lambda d: d["metadata"].update(nested={"a": 1}), "metadata['nested']"),
    (lambda d: d["final_observation"].update(shape=[3, 3, 5]), "needs 45"),
    (lambda d: d["final_observation"].update(dtype="object"), "final_observation.dtype"),
])
def test_malformed_lines_are_named_with_their_line(tmp_path, change, message):
    good = _good(tmp_path)
    bad = json.loads(json.dumps(good))
    change(bad)
    path = tmp_path / "mixed.jsonl"
    path.write_text(json.dumps(good) + "\n\n" + json.dumps(bad) + "\n" + json.dumps(good) + "\n")
    with pytest.raises(RecordError, match=r"line 3, game 2: .*" + message.replace("[", r"\[").replace("]", r"\]")):
        list(read_jsonl(path))
    skipped: list[RecordError] = []
    assert len(list(read_jsonl(path, on_error=skipped.append))) == 2
    assert [e.line for e in skipped] == [3]


def test_not_json_nan_and_truncated_lines(tmp_path):
    good = json.dumps(_good(tmp_path))
    path = tmp_path / "broken.jsonl"
    path.write_text(good + "\n" + good.replace('"rewards": {"player_1": ', '"rewards": {"player_1": NaN, "x": ') + "\n"
                    + good[: len(good) // 2])
    errors: list[RecordError] = []
    assert len(list(read_jsonl(path, on_error=errors.append))) == 1
    assert [e.line for e in errors] == [2, 3]
    assert "NaN" in str(errors[0]) and "truncated last line" in str(errors[1])


def test_illegal_action_names_the_ply():
    record = GameRecord("connect_four_v3", {}, ["a", "b"], ["player_0", "player_1"], [3, 3, 3, 3, 3, 3, 3],
                        {"player_0": 0.0, "player_1": 0.0})
    with pytest.raises(RecordError, match=r"ply 6: illegal action 3 for player_0"):
        list(replay(record))


def test_moves_after_the_end_and_wrong_rewards_are_refused():
    win = [0, 1, 0, 1, 0, 1, 0]  # player_0 connects four in column 0
    seats = ["player_0", "player_1"]
    with pytest.raises(RecordError, match=r"ply 7: the game is over after 7 moves"):
        list(replay(GameRecord("connect_four_v3", {}, ["a", "b"], seats, win + [2], {s: 0.0 for s in seats})))
    with pytest.raises(RecordError, match=r"rewards .* but the record says"):
        list(replay(GameRecord("connect_four_v3", {}, ["a", "b"], seats, win, {"player_0": -1.0, "player_1": 1.0})))
    ok = GameRecord("connect_four_v3", {}, ["a", "b"], seats, win, {"player_0": 1.0, "player_1": -1.0})
    assert len(list(replay(ok))) == 7


def test_wrong_seats_or_unknown_game_are_refused():
    with pytest.raises(RecordError, match="seats"):
        list(replay(GameRecord("tictactoe_v3", {}, ["a", "b"], ["white", "black"], [0], {"white": 0, "black": 0})))
    with pytest.raises((RecordError, ValueError), match="unknown PettingZoo game"):
        list(replay(GameRecord("no_such_game_v1", {}, ["a"], ["p"], [], {"p": 0.0})))
