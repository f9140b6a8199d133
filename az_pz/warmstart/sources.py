"""Recorded games from files and folders, whatever their format.

``.jsonl`` (az_pz's game records, any game), ``.pgn`` (chess) and ``.sgf`` (go); a folder
stands for every such file inside it (recursively, in name order). Unreadable games and files are passed
on as :class:`RecordError` items rather than raised, so one bad game never stops a run: the caller
counts and skips them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from az_pz.records import GameRecord, RecordError, read_jsonl
from az_pz.records.pgn import read_pgn
from az_pz.records.sgf import read_sgf

__all__ = ["RECORD_SUFFIXES", "read_records"]

_READERS = {".jsonl": read_jsonl, ".pgn": read_pgn, ".sgf": read_sgf}
RECORD_SUFFIXES = tuple(_READERS)
"""File name endings read as game records."""


def record_files(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """The record files named by ``paths`` (folders expanded); a missing path or unknown suffix is an error."""
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in _READERS)
        elif not path.exists():
            raise FileNotFoundError(f"record file {path} does not exist")
        elif path.suffix.lower() not in _READERS:
            raise ValueError(f"{path}: unknown record format {path.suffix!r}; "
                             f"az_pz reads {', '.join(RECORD_SUFFIXES)}")
        else:
            files.append(path)
    return files


def read_records(paths: Iterable[str | os.PathLike]) -> Iterator[GameRecord | RecordError]:
    """Every game in ``paths``, in order; unreadable games (and unreadable files) as ``RecordError`` items."""
    for path in record_files(paths):
        errors: list[RecordError] = []
        try:
            for record in _READERS[path.suffix.lower()](path, on_error=errors.append):
                yield from _drain(errors)
                yield record
        except (OSError, UnicodeError, RecordError) as error:
            yield RecordError(f"unreadable: {error}", source=str(path))
        yield from _drain(errors)


def _drain(errors: list[RecordError]) -> Iterator[RecordError]:
    while errors:
        yield errors.pop(0)
