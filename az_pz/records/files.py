"""Read any game file by its suffix: ``.jsonl`` (az_pz records), ``.pgn`` (chess), ``.sgf`` (go)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

from az_pz.records.record import GameRecord, RecordError

SUFFIXES = (".jsonl", ".pgn", ".sgf")
"""File suffixes :func:`read_records` reads."""


def read_records(path: str | os.PathLike, *, on_error: Callable[[RecordError], None] | None = None,
                 ) -> Iterator[GameRecord]:
    """The games of a ``.jsonl``, ``.pgn`` or ``.sgf`` file (or of every such file in a directory, sorted).

    Unreadable games raise :class:`RecordError` naming file, line or game and ply, or, with
    ``on_error``, are passed to it and skipped.
    """
    from az_pz.records.jsonl import read_jsonl
    from az_pz.records.pgn import read_pgn
    from az_pz.records.sgf import read_sgf

    path = Path(path)
    if path.is_dir():
        for child in sorted(p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file()):
            yield from read_records(child, on_error=on_error)
        return
    if not path.exists():
        raise FileNotFoundError(f"no game file at {path}")
    readers = {".jsonl": read_jsonl, ".pgn": read_pgn, ".sgf": read_sgf}
    reader = readers.get(path.suffix.lower())
    if reader is None:
        raise RecordError(f"unknown game file type {path.suffix!r}: expected one of {', '.join(SUFFIXES)}",
                          source=str(path))
    yield from reader(path, on_error=on_error)
