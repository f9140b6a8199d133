import json

import pytest

from az_pz.cli import main


def test_arena_command_writes_results(tmp_path, capsys):
    out = tmp_path / "arena"
    assert main(["arena", "tictactoe_v3", "random", "mcts:10", "--games", "2", "--out", str(out), "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert "Elo" in printed and "mcts:10" in printed
    assert {"results.json", "results.csv", "ratings.csv", "elo.png"} <= {p.name for p in out.iterdir()}


def test_arena_command_needs_two_agents(capsys):
    assert main(["arena", "tictactoe_v3", "random"]) == 2


def test_eval_command(tmp_path, capsys):
    path = tmp_path / "eval.json"
    assert main(["eval", "connect_four_v3", "mcts:10", "--opponent", "random", "--games", "2", "--json", str(path)]) == 0
    out = capsys.readouterr().out
    assert "win rate" in out and "score" in out and "W/D/L" in out
    assert json.loads(path.read_text())["results"]["random"]["n_games"] == 2


def test_play_command_with_typed_moves(monkeypatch, capsys):
    moves = iter(["4", "0", "8", "2", "6", "1", "3", "5", "7"])

    def typed(prompt=""):
        try:
            return next(moves)
        except StopIteration:
            raise EOFError from None

    monkeypatch.setattr("builtins.input", typed)
    assert main(["play", "tictactoe_v3", "random", "--seat", "0"]) == 0
    printed = capsys.readouterr().out
    assert "legal moves" in printed
    assert any(text in printed for text in ("You won.", "Draw.", "You lost.", "bye"))


def test_eval_and_play_parsers_share_game_agent_and_agent_specs():
    from az_pz.cli import eval as eval_cli
    from az_pz.cli import play as play_cli

    for module, prog, agent_help in ((eval_cli, "az-pz eval", "the agent evaluated"),
                                     (play_cli, "az-pz play", "your opponent")):
        parser = module.build_parser()
        text = parser.format_help()
        assert parser.prog == prog and "agent specs: random, mcts:SIMS" in text and agent_help in text
        assert parser.description == module.__doc__.split("\n\n")[0]
        args = parser.parse_args(["connect_four_v3", "random", "--env", "x=1"])
        assert (args.game, args.agent, args.env) == ("connect_four_v3", "random", ["x=1"])


def test_play_with_piped_moves_stops_cleanly_at_end_of_input(monkeypatch, capsys):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("0\n1\n"))
    assert main(["play", "tictactoe_v3", "random"]) == 0
    assert "bye" in capsys.readouterr().out


def test_user_errors_print_one_line_naming_the_problem(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("AZ_PZ_DEBUG", raising=False)
    assert main(["eval", "connect_four_v3", f"alphazero:{tmp_path / 'missing'}", "--games", "1"]) == 1
    err = capsys.readouterr().err
    assert "az-pz eval: CheckpointError:" in err and "missing does not exist" in err and "Traceback" not in err
    assert main(["arena", "conect_four_v3", "random", "mcts:2", "--games", "1"]) == 1
    assert "unknown PettingZoo game 'conect_four_v3'" in capsys.readouterr().err
    monkeypatch.setenv("AZ_PZ_DEBUG", "1")
    with pytest.raises(ValueError, match="does not exist"):
        main(["eval", "connect_four_v3", f"alphazero:{tmp_path / 'missing'}", "--games", "1"])
