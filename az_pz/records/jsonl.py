"""JSON-lines game files: one :class:`GameRecord` JSON object per line, ``"format": "az_pz.game/1"``.

Any game, any number of games per file. ``write_jsonl`` replaces a file atomically;
``append_jsonl`` adds games to the end (how ``--record`` keeps games as they finish,
so a stopped run keeps every finished game; a half-written last line is reported
by the reader with its line number).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from az_pz.records.record import GameRecord, OnError, RecordError, skip_or_raise

MAX_LINE_BYTES = 64 << 20
"""Longest line the reader accepts (a record with a large final observation stays far below)."""



def _line(record: GameRecord) -> str:
    if not isinstance(record, GameRecord):
        raise TypeError(f"expected a GameRecord, got {type(record).__name__}")
    return json.dumps(record.to_json(), separators=(",", ":"), allow_nan=False) + "\n"


def write_jsonl(path: str | os.PathLike, records: Iterable[GameRecord]) -> Path:
    """Write ``records`` to ``path`` (replacing it atomically); return the path."""
    from az_pz.atomic_files import atomic_write_bytes

    path = Path(path)
    atomic_write_bytes(path, "".join(_line(r) for r in records).encode())
    return path


def append_jsonl(path: str | os.PathLike, records: GameRecord | Iterable[GameRecord]) -> Path:
    """Append one record or several to ``path`` (created if missing), flushed to disk; return the path."""
    from az_pz.atomic_files import append_text

    batch = [records] if isinstance(records, GameRecord) else list(records)
    append_text(path, "".join(_line(r) for r in batch))
    return Path(path)


def read_jsonl(path: str | os.PathLike, *, on_error: OnError | None = None) -> Iterator[GameRecord]:
    """The records of a JSON-lines file, in order; blank lines are skipped.

    A line that is not a valid record raises :class:`RecordError` naming the file and line,
    or, with ``on_error``, is passed to it and skipped (count or log them there).
    """
    path = Path(path)
    with open(path, "rb") as handle:
        index = 0
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                record = _parse(raw)
            except RecordError as error:
                skip_or_raise(RecordError(str(error), source=str(path), line=number, index=index), on_error)
            else:
                yield record
            index += 1


def _parse(raw: bytes) -> GameRecord:
    if len(raw) > MAX_LINE_BYTES:
        raise RecordError(f"line longer than {MAX_LINE_BYTES} bytes")
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
    except UnicodeDecodeError as error:
        raise RecordError(f"not UTF-8 text ({error.reason})") from None
    except json.JSONDecodeError as error:
        raise RecordError(f"not JSON ({error.msg} at column {error.colno}); a truncated last line?") from None
    return GameRecord.from_json(data)


def _refuse_constant(name: str) -> None:
    raise RecordError(f"{name} is not a number a record may hold")
