"""The games table (``az_pz.adapters.games``): each game is one package holding everything about it, generic
modules read it through the table, and adding a game is one folder plus one line (docs/adapters.md)."""

from __future__ import annotations

import ast
import dataclasses
import sys
import textwrap
from pathlib import Path

import pytest

import az_pz
from az_pz.adapters.games import GAMES, GameCard, game_card, game_of_task, game_part
from az_pz.config import PRESETS, preset
from az_pz.games import known_game, make_task

GAMES_DIR = Path(az_pz.adapters.games.__file__).parent


@pytest.mark.parametrize("game", sorted(GAMES))
def test_every_game_package_holds_its_card_task_and_presets(game):
    card = game_card(game)
    assert isinstance(card, GameCard) and card.name == game
    assert card.gym_id.startswith("az_pz/") and card.gym_id in az_pz.envs.GYM_IDS
    task = make_task(game, **card.info_variants[0])
    assert game_of_task(task) == game and type(task).__module__ == f"{GAMES[game]}.task"
    presets = game_part(game, "presets").PRESETS
    assert game in presets and all(PRESETS[key]().game == game for key in presets)


def test_game_packages_never_import_the_generic_modules_above_them():
    """Imports run one way: ``az_pz.games``, ``az_pz.config`` and the agents read the games, never the reverse
    (the old registry's game modules imported ``az_pz.games`` back)."""
    above = ("az_pz.games", "az_pz.config", "az_pz.agent", "az_pz.agents", "az_pz.envs", "az_pz.cli")
    for path in GAMES_DIR.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else \
                [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            for name in names:
                assert not name.startswith(above), f"{path.relative_to(GAMES_DIR)} imports {name}"


def test_old_module_paths_are_the_moved_modules():
    from az_pz.adapters import _chess_tables, _go_engine, chess, connect_four, go, tictactoe
    from az_pz.adapters.games.chess import tables
    from az_pz.adapters.games.connect_four import task as connect_four_task
    from az_pz.adapters.games.go import engine

    assert _chess_tables is tables and _go_engine is engine and connect_four is connect_four_task
    assert chess.ChessTask is type(make_task("chess_v6")) and go.GoTask is type(make_task("go_v5", board_size=9))
    assert tictactoe.TicTacToeTask is type(make_task("tictactoe_v3"))
    assert connect_four._state_from_bits is connect_four.state_from_bits  # a private old callers used


def test_notation_names_stay_importable_from_the_engine_agents():
    from az_pz.adapters.games.chess import notation as chess_notation
    from az_pz.adapters.games.go import notation as go_notation
    from az_pz.agents.gnugo import action_to_gtp, gtp_to_action
    from az_pz.agents.stockfish import action_to_move, move_to_action

    assert (move_to_action, action_to_move) == (chess_notation.move_to_action, chess_notation.action_to_move)
    assert (action_to_gtp, gtp_to_action) == (go_notation.action_to_gtp, go_notation.gtp_to_action)
    assert go_notation.action_to_gtp(go_notation.gtp_to_action("J9", 9), 9) == "J9"


FIFTH_GAME = {  # the worked example of docs/adapters.md, written out as files
    "__init__.py": '''
        from az_pz.adapters.games import GameCard


        def make_task(**env_kwargs):
            from az_pz.adapters import PettingZooTask
            from tests.games import three_player

            return PettingZooTask(lambda: three_player.env(**env_kwargs), name="three_player_v0")


        CARD = GameCard(name="three_player_v0", task=make_task)  # no gym_id: no single-agent view of three players
        ''',
    "presets.py": '''
        PRESETS = {
            "three_player_v0": lambda: dict(
                network=dict(kind="mlp", num_blocks=2, mlp_hidden=64, value_hidden=32),
                search=dict(num_simulations=32),
                selfplay=dict(games_per_iteration=32, concurrent_games=32),
            ),
        }
        ''',
}


def test_a_fifth_game_is_one_folder_and_one_line_in_the_table(tmp_path, monkeypatch):
    folder = tmp_path / "my_games" / "three_player"
    folder.mkdir(parents=True)
    (folder.parent / "__init__.py").write_text("")
    for name, text in FIFTH_GAME.items():
        (folder / name).write_text(textwrap.dedent(text))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(GAMES, "three_player_v0", "my_games.three_player")  # the one line
    try:
        task = make_task("three_player_v0")
        assert task.spec.num_players == 3 and task.spec.name == "three_player_v0"
        assert known_game("three_player_v0", "config.json") == "three_player_v0"
        config = preset("three_player_v0", seed=3)  # presets are read through the table when asked for
        assert (config.network.kind, config.search.num_simulations, config.seed) == ("mlp", 32, 3)
        assert dataclasses.replace(config, seed=0) != preset("tictactoe_v3")
    finally:
        for module in [m for m in sys.modules if m.startswith("my_games")]:
            del sys.modules[module]
