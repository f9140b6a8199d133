"""PGN: chess games written by python-chess and read back into PettingZoo actions, through the real env."""

from __future__ import annotations

import io

import chess
import chess.pgn
import numpy as np
import pytest

from az_pz.records import RecordError, read_pgn, read_records, replay, write_pgn
from tests.records.helpers import recorded_games


def test_recorded_chess_games_round_trip_through_pgn(tmp_path):
    games = recorded_games(tmp_path / "c", "chess_v6", n_games=2, max_moves=60)
    text = (tmp_path / "c" / "games.pgn").read_text()
    parsed = chess.pgn.read_game(io.StringIO(text))
    assert parsed.headers["White"] == "random" and parsed.headers["Black"] == "random"
    assert parsed.headers["Result"] == "1/2-1/2" and parsed.headers["Termination"] == "adjudication"
    assert parsed.headers["Date"][:4].isdigit()
    back = list(read_pgn(tmp_path / "c" / "games.pgn"))
    assert [g.actions for g in back] == [g.actions for g in games]
    assert all(g.game == "chess_v6" and g.seats == ["player_0", "player_1"] for g in back)


def test_fools_mate_result_and_env_agree(tmp_path):
    path = tmp_path / "mate.pgn"
    path.write_text('[White "A"]\n[Black "B"]\n[Result "0-1"]\n\n1. f3 e5 2. g4 Qh4# 0-1\n')
    (record,) = read_pgn(path)
    assert record.players == ["A", "B"] and record.rewards == {"player_0": -1.0, "player_1": 1.0}
    steps = list(replay(record))  # the env ends the game with black's win, as the record says
    assert [s.notation for s in steps] == ["f3", "e5", "g4", "Qh4#"]
    assert not steps[-1].env.agents


def _random_game_with_promotions(seed: int) -> chess.pgn.Game:
    """A random legal game that pushes pawns and underpromotes, stopped a few moves after both colours did."""
    rng = np.random.default_rng(seed)
    board = chess.Board()
    promoted: set[bool] = set()
    while not board.is_game_over(claim_draw=True) and (len(promoted) < 2 or board.ply() % 8):
        moves = list(board.legal_moves)
        under = [m for m in moves if m.promotion and m.promotion != chess.QUEEN]
        pawns = [m for m in moves if board.piece_type_at(m.from_square) == chess.PAWN]
        pool = under or (pawns if pawns and rng.random() < 0.7 else moves)
        move = pool[int(rng.integers(len(pool)))]
        if move.promotion:
            promoted.add(board.turn)
        board.push(move)
    return chess.pgn.Game.from_board(board)


def test_promotions_and_both_colours_convert_exactly(tmp_path):
    games = [_random_game_with_promotions(seed) for seed in range(2)]
    promoted = {(ply % 2, m.promotion) for g in games for ply, m in enumerate(g.mainline_moves()) if m.promotion}
    assert {colour for colour, _ in promoted} == {0, 1}, "both colours must promote"
    assert {piece for _, piece in promoted} - {chess.QUEEN}, "underpromotions must be among them"
    path = tmp_path / "random.pgn"
    path.write_text("\n\n".join(str(g) for g in games))
    for game, record in zip(games, read_pgn(path)):
        board, expected = game.board(), []
        for move in game.mainline_moves():
            expected.append(board.san(move))
            board.push(move)
        steps = list(replay(record, check_rewards=False))
        assert [s.notation for s in steps] == expected
        assert steps[-1].env.unwrapped.board.fen() == board.fen()
    write_pgn(tmp_path / "again.pgn", list(read_pgn(path)))
    assert [r.actions for r in read_pgn(tmp_path / "again.pgn")] == [r.actions for r in read_pgn(path)]


def test_bad_pgn_games_are_named_and_skippable(tmp_path):
    path = tmp_path / "mixed.pgn"
    path.write_text(
        '[White "ok1"]\n[Black "x"]\n[Result "*"]\n\n1. e4 e5 *\n\n'
        '[White "illegal"]\n[Black "x"]\n[Result "*"]\n\n1. e4 e5 2. Ke3 *\n\n'
        '[White "fen"]\n[Black "x"]\n[SetUp "1"]\n[FEN "8/8/8/8/8/8/8/K6k w - - 0 1"]\n[Result "*"]\n\n1. Kb1 *\n\n'
        '[White "ok2"]\n[Black "x"]\n[Result "1-0"]\n\n1. d4 1-0\n\n')
    with pytest.raises(RecordError, match=r"mixed.pgn, game 2: \(illegal - x\)"):
        list(read_pgn(path))
    errors: list[RecordError] = []
    good = list(read_records(path, on_error=errors.append))
    assert [g.players[0] for g in good] == ["ok1", "ok2"]
    assert [e.index for e in errors] == [1, 2] and "standard position" in str(errors[1])
    assert good[0].metadata["termination"] == "unfinished" and good[1].rewards["player_0"] == 1.0
