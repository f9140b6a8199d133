"""az-pz info: lists the supported games with their specs, without importing torch."""

from __future__ import annotations

import json
import subprocess
import sys

from az_pz.cli import main


def test_info_lists_the_classic_games(capsys) -> None:
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    for text in ("tictactoe_v3", "connect_four_v3", "chess_v6", "board_size=9", "board_size=13", "board_size=19",
                 "17x19x19 -> 362", "111x8x8 -> 4672"):
        assert text in out


def test_info_json_for_one_game_through_the_adapter(capsys) -> None:
    assert main(["info", "classic/connect_four-v3", "--backend", "pettingzoo", "--json"]) == 0
    (info,) = json.loads(capsys.readouterr().out)
    assert info["backend"] == "pettingzoo" and info["num_players"] == 2
    assert info["phases"] == [{"observation_shape": [2, 6, 7], "num_actions": 7, "name": ""}]
    # PettingZoo's env declares no symmetries; replaying random games finds the mirror, and nothing else
    assert (info["symmetries"], info["symmetries_source"]) == (["identity", "flip_columns"], "found by replay")


def test_info_counts_the_symmetries_a_task_declares(capsys) -> None:
    assert main(["info", "tictactoe_v3"]) == 0
    assert "8 (declared)" in capsys.readouterr().out


def test_info_refuses_unsupported_games(capsys) -> None:
    assert main(["info", "texas_holdem_v4"]) == 2
    assert "hidden information" in capsys.readouterr().err


def test_info_does_not_import_torch() -> None:
    code = "import sys; from az_pz.cli import main; main(['info']); assert 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, timeout=120)
