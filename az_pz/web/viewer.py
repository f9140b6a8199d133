"""The record viewer's side of the server: find recorded games under a folder and replay them for the page.

Games are JSON-lines records (``az_pz.records``, ``"format": "az_pz.game/1"``) in ``*.jsonl`` files under
the folder given to ``az-pz serve --records`` (or PGN and SGF files, in a folder that has no ``*.jsonl``).
A game is named by its file (relative to that folder) and its position in the file; the folder is read
again on each listing, so games that an arena appends while the server runs show up. Each game is replayed
through the env's own rules (``az_pz.records.replay``): a record that stops replaying is shown up to there,
with the reason.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from az_pz.web.boards import board_view

MAX_GAMES = 5000
"""Games listed at most (the newest files' games beyond are left out, and the listing says so)."""


def index_records(records: str | Path) -> Path:
    """The folder (or single file) of records, checked to exist."""
    root = Path(records).expanduser()
    if not root.exists():
        raise FileNotFoundError(f"--records {records}: no such file or folder")
    return root


def _files(root: Path) -> list[Path]:
    """The record files under ``root``: its ``*.jsonl`` files, or, in a folder without any (a folder of
    downloaded games), its ``*.pgn`` and ``*.sgf`` files. ``--record`` writes each game twice (JSON lines
    and PGN or SGF), so a folder it wrote lists each game once."""
    from az_pz.records.files import SUFFIXES

    if root.is_file():
        return [root]
    files = sorted(p for p in root.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file())
    return [p for p in files if p.suffix.lower() == ".jsonl"] or files


def _name(root: Path, path: Path) -> str:
    return path.name if root.is_file() else path.relative_to(root).as_posix()


def summaries(root: Path) -> dict[str, Any]:
    """``{"games": [...], "errors": [...], "truncated": bool}``: one summary per readable game."""
    from az_pz.records import RecordError, read_records

    games: list[dict[str, Any]] = []
    errors: list[str] = []
    for path in _files(root):
        try:
            for index, record in enumerate(read_records(path, on_error=lambda e: errors.append(str(e)))):
                if len(games) >= MAX_GAMES:
                    return {"games": games, "errors": errors, "truncated": True}
                games.append({"file": _name(root, path), "index": index, "game": record.game,
                              "players": record.players, "seats": record.seats, "moves": len(record.actions),
                              "rewards": record.rewards, "winner": record.winner(),
                              "metadata": record.metadata})
        except (OSError, RecordError) as error:
            errors.append(f"{_name(root, path)}: {error}")
    return {"games": games, "errors": errors, "truncated": False}


def replay(root: Path, file: str, index: int) -> dict[str, Any]:
    """Every position of game ``index`` of ``file``: ``{"record", "positions", "moves", "error"}``.

    ``positions[i]`` is the board before move ``i`` (``positions[-1]`` the final one), ``moves[i]`` the move
    (seat, action, label). ``file`` must be one of the listed files: a path that leads elsewhere is refused.
    """
    from az_pz.records import RecordError, make_env, read_records
    from az_pz.records import replay as replay_record
    from az_pz.web.boards import kind_of

    paths = {_name(root, p): p for p in _files(root)}
    if file not in paths:
        raise KeyError(f"no record file {file!r} under the records folder")
    record = next((r for i, r in enumerate(read_records(paths[file])) if i == index), None)
    if record is None:
        raise KeyError(f"{file} has no game {index}")
    kind_of(record.game)  # a game the page cannot draw is refused by name
    positions, moves, error = [], [], None
    env = make_env(record)
    try:
        for step in replay_record(record, env=env):
            positions.append(board_view(step.env, with_legal=False))
            moves.append({"seat": record.seats.index(step.seat), "action": step.action, "label": step.notation})
    except RecordError as failure:
        error = str(failure)
    positions.append(board_view(env, with_legal=False))
    env.close()
    return {"record": record.to_json() | {"final_observation": None}, "positions": positions, "moves": moves,
            "error": error}
