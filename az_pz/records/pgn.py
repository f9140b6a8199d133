"""PGN for chess games, written and read by python-chess (``chess.pgn``).

Writing: White/Black are the players of seats 0/1, ``Result`` comes from the
rewards (``*`` for a game that stopped unfinished), ``Date``/``Event``/``Round``
from the metadata, ``Termination`` says whether the rules ended the game
(``normal``) or a move limit did (``adjudication``). Reading: each game's
mainline becomes PettingZoo ``chess_v6`` action numbers (the exact conversion of
``az_pz.agents.stockfish``), the result becomes rewards. Games from a position
other than the standard start, variants and unparsable moves are refused with
:class:`RecordError` naming the game.

PettingZoo ends a chess game as soon as a draw can be claimed (threefold
repetition, fifty moves); a PGN game that plays on past such a point reads
fine but fails ``replay`` at the first move after it.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from az_pz.records.record import GameRecord, OnError, RecordError, skip_or_raise

GAME = "chess_v6"
SEATS = ["player_0", "player_1"]
_RESULT_REWARDS = {"1-0": (1.0, -1.0), "0-1": (-1.0, 1.0), "1/2-1/2": (0.0, 0.0), "*": (0.0, 0.0)}
_HEADER_METADATA = {"Event": "event", "Site": "site", "Date": "date", "Round": "round",
                    "Termination": "pgn_termination", "WhiteElo": "white_elo", "BlackElo": "black_elo",
                    "TimeControl": "time_control"}


def is_chess(game: str) -> bool:
    from az_pz.games import canonical_name

    return canonical_name(game).startswith("chess_")


def pgn_game(record: GameRecord) -> Any:
    """The record as a ``chess.pgn.Game`` (moves checked against python-chess's rules)."""
    import chess
    import chess.pgn

    from az_pz.adapters.games.chess.notation import action_to_move

    if not is_chess(record.game):
        raise RecordError(f"PGN holds chess games, not {record.game!r}")
    game = chess.pgn.Game()
    board = chess.Board()
    node: Any = game
    for ply, action in enumerate(record.actions):
        try:
            move = action_to_move(board, action)
        except ValueError as error:
            raise RecordError(str(error), ply=ply) from None
        node = node.add_variation(move)
        board.push(move)
    meta = record.metadata
    game.headers["Event"] = str(meta.get("event", "az_pz game"))
    game.headers["Site"] = str(meta.get("site", "?"))
    game.headers["Date"] = _pgn_date(meta.get("date"))
    game.headers["Round"] = str(meta.get("round", "?"))
    game.headers["White"], game.headers["Black"] = record.players
    result, termination = _result(record, board)
    game.headers["Result"] = result
    game.headers["Termination"] = termination
    game.headers["PlyCount"] = str(len(record.actions))
    return game


def _pgn_date(date: Any) -> str:
    """``"2026-12-01..."`` or ``"2026.12.01"`` -> ``"2026.12.01"``; anything else ``"????.??.??"``."""
    text = str(date or "")[:10].replace("-", ".")
    return text if len(text) == 10 and text.replace(".", "").isdigit() else "????.??.??"


def _result(record: GameRecord, board: Any) -> tuple[str, str]:
    white, black = (record.rewards[s] for s in record.seats)
    over = board.is_game_over(claim_draw=True)
    stopped = record.metadata.get("termination") in ("max_moves", "truncated")
    termination = "normal" if over else "adjudication" if stopped else "unterminated"
    if white != black:
        return ("1-0" if white > black else "0-1"), termination
    if over or stopped:
        return "1/2-1/2", termination
    return "*", termination


def pgn_text(records: Iterable[GameRecord]) -> str:
    """PGN text of several games, separated by blank lines."""
    return "".join(str(pgn_game(r)) + "\n\n" for r in records)


def write_pgn(path: str | os.PathLike, records: Iterable[GameRecord]) -> Path:
    """Write the games to a PGN file (atomically replacing it); return the path."""
    from az_pz.atomic_files import atomic_write_bytes

    path = Path(path)
    atomic_write_bytes(path, pgn_text(records).encode())
    return path


def append_pgn(path: str | os.PathLike, records: GameRecord | Iterable[GameRecord]) -> Path:
    """Append games to a PGN file (created if missing), flushed to disk; return the path."""
    from az_pz.atomic_files import append_text

    append_text(path, pgn_text([records] if isinstance(records, GameRecord) else records))
    return Path(path)


def read_pgn(path: str | os.PathLike, *, on_error: OnError | None = None) -> Iterator[GameRecord]:
    """The games of a PGN file as records (``chess_v6`` actions, rewards from ``Result``); a game that cannot be
    converted is raised or, with ``on_error``, skipped (:func:`~az_pz.records.record.skip_or_raise`)."""
    path = Path(path)
    with open(path, encoding="utf-8-sig", errors="replace") as handle:
        yield from read_pgn_text(handle, source=str(path), on_error=on_error)


def read_pgn_text(handle: io.TextIOBase | Any, *, source: str | None = None,
                  on_error: OnError | None = None) -> Iterator[GameRecord]:
    """The games of an open PGN text stream (see :func:`read_pgn`)."""
    import chess.pgn

    index = 0
    while True:
        try:
            game = chess.pgn.read_game(handle)
        except (ValueError, UnicodeDecodeError) as error:
            skip_or_raise(RecordError(f"unreadable PGN: {error}", source=source, index=index), on_error)
            return
        if game is None:
            return
        try:
            yield _record_of(game)
        except RecordError as error:
            skip_or_raise(RecordError(str(error), source=source, index=index, ply=error.ply), on_error)
        index += 1


def _record_of(game: Any) -> GameRecord:
    import chess

    from az_pz.adapters.games.chess.notation import move_to_action

    headers = game.headers
    label = f"{headers.get('White', '?')} - {headers.get('Black', '?')}"
    if game.errors:
        raise RecordError(f"({label}) {game.errors[0]}")
    variant = headers.get("Variant", "Standard").lower()
    if variant not in ("standard", "chess", "normal", "from position"):
        raise RecordError(f"({label}) variant {headers['Variant']!r} is not PettingZoo chess")
    board = game.board()
    if board.fen() != chess.STARTING_FEN:
        raise RecordError(f"({label}) starts from {board.fen()!r}; PettingZoo chess starts from the standard position")
    actions = []
    for ply, move in enumerate(game.mainline_moves()):
        if move not in board.legal_moves:
            raise RecordError(f"({label}) illegal move {move.uci()}", ply=ply)
        actions.append(move_to_action(move, not board.turn))
        board.push(move)
    result = headers.get("Result", "*")
    if result not in _RESULT_REWARDS:
        raise RecordError(f"({label}) unknown Result {result!r}: expected 1-0, 0-1, 1/2-1/2 or *")
    white, black = _RESULT_REWARDS[result]
    metadata: dict[str, Any] = {key: headers[tag] for tag, key in _HEADER_METADATA.items()
                                if tag in headers and headers[tag] not in ("?", "")}
    metadata["result"] = result
    if result == "*":
        metadata["termination"] = "unfinished"
    return GameRecord(game=GAME, env_kwargs={}, players=[headers.get("White", "?"), headers.get("Black", "?")],
                      seats=list(SEATS), actions=actions, rewards={SEATS[0]: white, SEATS[1]: black},
                      metadata=metadata)
