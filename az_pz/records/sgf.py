"""SGF for go games, written and read by sgfmill.

Writing: ``SZ`` and ``KM`` from the env's board size and komi, ``PB``/``PW``
the players of seats 0/1 (``black_0``/``white_0``), ``RE`` the result as
PettingZoo scores it (area score with komi: ``B+3.5``; ``Void`` for a game
stopped before both players passed), ``DT``/``EV``/``RO`` from the metadata.
Reading: moves become PettingZoo ``go_v5`` action numbers (GTP vertices through
``az_pz.agents.gnugo.gtp_to_action``, pass = ``N*N``), ``RE`` becomes rewards.
Handicap and setup stones, moves out of turn and unparsable files are refused
with :class:`RecordError` naming the game and ply: PettingZoo go starts from an
empty board with black to move and alternates.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from az_pz.records.record import GameRecord, OnError, RecordError, skip_or_raise

GAME = "go_v5"
SEATS = ["black_0", "white_0"]
DEFAULT_BOARD_SIZE, DEFAULT_KOMI = 19, 7.5
"""PettingZoo go's defaults (``go_v5.env()``)."""
MAX_SGF_BYTES = 32 << 20


def is_go(game: str) -> bool:
    from az_pz.games import canonical_name

    return canonical_name(game).startswith("go_")


def result_text(record: GameRecord, env: Any = None) -> str:
    """SGF ``RE`` of a record: the final env's own score where the game ended, else the metadata or ``Void``."""
    given = record.metadata.get("result")
    if isinstance(given, str) and given[:2] in ("B+", "W+") or given in ("0", "Draw", "Void", "?"):
        return str(given)
    if env is None:
        from az_pz.records.replay import final_env

        env = final_env(record, check_rewards=False)
    if not env.agents:  # both passed (or a rule ended it): PettingZoo's own score string
        text = env.unwrapped._go.result_string()
        return "0" if text == "DRAW" else text
    return "Void"


def sgf_game(record: GameRecord, env: Any = None) -> Any:
    """The record as an ``sgfmill.sgf.Sgf_game``; ``env``: the record's final env, if at hand (else replayed)."""
    from sgfmill import common, sgf

    from az_pz.adapters.games.go.notation import action_to_gtp

    if not is_go(record.game):
        raise RecordError(f"SGF holds go games, not {record.game!r}")
    size = int(record.env_kwargs.get("board_size", DEFAULT_BOARD_SIZE))
    komi = float(record.env_kwargs.get("komi", DEFAULT_KOMI))
    game = sgf.Sgf_game(size=size)
    root = game.get_root()
    root.set("KM", komi)
    root.set("PB", record.players[0])
    root.set("PW", record.players[1])
    root.set("RE", result_text(record, env))
    root.set("AP", ("az_pz", _version()))
    for key, prop in (("event", "EV"), ("round", "RO")):
        if key in record.metadata:
            root.set(prop, str(record.metadata[key]))
    date = str(record.metadata.get("date", ""))[:10]
    if len(date) == 10:
        root.set("DT", date)
    for ply, action in enumerate(record.actions):
        if action > size * size:
            raise RecordError(f"action {action} is off a {size}x{size} board (pass is {size * size})", ply=ply)
        vertex = action_to_gtp(action, size)
        move = None if vertex == "pass" else common.move_from_vertex(vertex, size)
        game.extend_main_sequence().set_move("b" if ply % 2 == 0 else "w", move)
    return game


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("az_pz")
    except Exception:  # noqa: BLE001 - an uninstalled checkout still writes files
        return "0"


def sgf_bytes(records: Iterable[GameRecord]) -> bytes:
    """One SGF game tree per record (several make an SGF collection)."""
    return b"".join(sgf_game(r).serialise() for r in records)


def write_sgf(path: str | os.PathLike, records: GameRecord | Iterable[GameRecord], *, env: Any = None) -> Path:
    """Write one game (or a collection) to an SGF file atomically; ``env``: the final env of a single record."""
    from az_pz.atomic_files import atomic_write_bytes

    path = Path(path)
    if isinstance(records, GameRecord):
        data = sgf_game(records, env).serialise()
    else:
        data = sgf_bytes(records)
    atomic_write_bytes(path, data)
    return path


def read_sgf(path: str | os.PathLike, *, on_error: OnError | None = None) -> Iterator[GameRecord]:
    """The games of an SGF file (one game or a collection) as ``go_v5`` records; a game that cannot be converted
    is raised or, with ``on_error``, skipped (:func:`~az_pz.records.record.skip_or_raise`)."""
    path = Path(path)
    if path.stat().st_size > MAX_SGF_BYTES:
        raise RecordError(f"larger than {MAX_SGF_BYTES} bytes", source=str(path))
    yield from read_sgf_bytes(path.read_bytes(), source=str(path), on_error=on_error)


def read_sgf_bytes(data: bytes, *, source: str | None = None,
                   on_error: OnError | None = None) -> Iterator[GameRecord]:
    """The games of SGF text (see :func:`read_sgf`)."""
    from sgfmill import sgf, sgf_grammar

    try:
        trees = sgf_grammar.parse_sgf_collection(data)
    except ValueError as error:
        raise RecordError(f"not SGF: {error}", source=source) from None
    for index, tree in enumerate(trees):
        try:
            try:
                game = sgf.Sgf_game.from_coarse_game_tree(tree)
            except ValueError as error:
                raise RecordError(f"not a go game: {error}") from None
            yield _record_of(game)
        except RecordError as error:
            skip_or_raise(RecordError(str(error), source=source, index=index, ply=error.ply), on_error)


def _record_of(game: Any) -> GameRecord:
    from sgfmill import common

    from az_pz.adapters.games.go.notation import gtp_to_action

    root = game.get_root()
    size = game.get_size()
    if not 2 <= size <= 19:
        raise RecordError(f"board size {size}: PettingZoo go plays sizes 2 to 19")
    try:
        komi, handicap = game.get_komi(), game.get_handicap()
    except ValueError as error:
        raise RecordError(f"bad KM or HA: {error}") from None
    if handicap or root.has_setup_stones():
        raise RecordError("handicap or setup stones: PettingZoo go starts from an empty board")
    actions = []
    for node in game.get_main_sequence()[1:]:
        if node.has_setup_stones():
            raise RecordError("setup stones inside the game", ply=len(actions))
        try:
            colour, move = node.get_move()
        except ValueError as error:
            raise RecordError(f"bad move: {error}", ply=len(actions)) from None
        if colour is None:
            continue
        expected = "b" if len(actions) % 2 == 0 else "w"
        if colour != expected:
            raise RecordError(f"{'black' if colour == 'b' else 'white'} moves out of turn "
                              "(PettingZoo go alternates, black first)", ply=len(actions))
        actions.append(size * size if move is None else gtp_to_action(common.format_vertex(move), size))
    result = root.get("RE") if root.has_property("RE") else "?"
    winner = game.get_winner()
    rewards = {SEATS[0]: 0.0, SEATS[1]: 0.0}
    if winner is not None:
        rewards = {SEATS[0]: 1.0 if winner == "b" else -1.0, SEATS[1]: 1.0 if winner == "w" else -1.0}
    metadata: dict[str, Any] = {"result": str(result)[:100]}
    for prop, key in (("DT", "date"), ("EV", "event"), ("RO", "round")):
        if root.has_property(prop):
            metadata[key] = str(root.get(prop))[:1000]
    if winner is None:
        metadata["termination"] = "unfinished"
    return GameRecord(game=GAME, env_kwargs={"board_size": size, "komi": float(komi)},
                      players=[str(game.get_player_name("b") or "?"), str(game.get_player_name("w") or "?")],
                      seats=list(SEATS), actions=actions, rewards=rewards, metadata=metadata)
