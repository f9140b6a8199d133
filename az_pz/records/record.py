"""One finished (or stopped) game of any PettingZoo game, as plain data.

A :class:`GameRecord` names the game and its env keyword arguments, who sat
where, every action in play order (PettingZoo action numbers) and the final
cumulative rewards. That is enough to rebuild the game move by move in a fresh
env (``az_pz.records.replay``), to train from it, or to show it. It is JSON in
files (``to_json`` / ``from_json``), one object per line in ``.jsonl`` files,
tagged ``"format": "az_pz.game/1"``.

Records read from files are untrusted: :func:`GameRecord.from_json` checks
every field's type and size and raises :class:`RecordError` naming the field;
nothing is evaluated or imported.
"""

from __future__ import annotations

import base64
import math
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

FORMAT = "az_pz.game/1"
"""The ``"format"`` tag of a JSON game record; a reader refuses other tags."""

MAX_ACTIONS = 100_000
"""Longest game a reader accepts (go 19x19 and chess games stay far below)."""

MAX_OBSERVATION_BYTES = 16 << 20
"""Largest decompressed final observation a reader accepts."""

_OBSERVATION_DTYPES = ("bool", "int8", "uint8", "int16", "int32", "int64", "float16", "float32", "float64")
_SCALARS = (str, int, float, bool, type(None))
_GAME_NAME = re.compile(r"^[A-Za-z0-9_]{1,100}(/[A-Za-z0-9_]{1,100}-v[0-9]{1,4})?$")
"""A PettingZoo module name or registry id: names read from files are checked before any import uses them."""


class RecordError(ValueError):
    """A record that cannot be read or replayed; the message names the file, line/game and ply where known."""

    def __init__(self, message: str, *, source: str | None = None, index: int | None = None,
                 line: int | None = None, ply: int | None = None) -> None:
        where = []
        if source is not None:
            where.append(str(source))
        if line is not None:
            where.append(f"line {line}")
        if index is not None:
            where.append(f"game {index + 1}")
        if ply is not None:
            where.append(f"ply {ply}")
        super().__init__(f"{', '.join(where)}: {message}" if where else message)
        self.source = source
        """File the record came from (None for records built in memory)."""
        self.index = index
        """0-based position of the game in its file (messages count from 1)."""
        self.line = line
        """1-based line of the file where the game starts (JSON lines, PGN)."""
        self.ply = ply
        """0-based ply (index into ``actions``) where replaying failed."""


OnError = Callable[[RecordError], None]
"""Called with each unreadable record when a reader is told to skip them (``on_error=``)."""


def skip_or_raise(failure: RecordError, on_error: OnError | None) -> None:
    """Every reader's one rule for a game it cannot read: raise ``failure`` (naming the file, game or line, and
    ply), or, given ``on_error``, pass it there and go on with the next game (count or log them there)."""
    if on_error is None:
        raise failure from None
    on_error(failure)


@dataclass(frozen=True)
class GameRecord:
    """One game: enough to replay it in a fresh PettingZoo env.

    Seat ``i`` is ``seats[i]`` (``env.possible_agents`` order) and was played by ``players[i]``.
    """

    game: str
    """PettingZoo game: module name (``"connect_four_v3"``) or registry id (``"classic/go-v5"``)."""
    env_kwargs: dict[str, Any]
    """Keyword arguments of the env (``{"board_size": 9, "komi": 7.5}`` for go): JSON scalars only."""
    players: list[str]
    """Name or agent spec of the player in each seat, in seat order (``["stockfish:1500", "alphazero:runs/c"]``)."""
    seats: list[str]
    """The env's ``possible_agents`` (``["player_0", "player_1"]``, ``["black_0", "white_0"]``)."""
    actions: list[int]
    """PettingZoo action numbers in play order."""
    rewards: dict[str, float]
    """Final cumulative reward of each seat (win +1, loss -1, draw 0 in the classic games)."""
    final_observation: dict[str, Any] | None = None
    """Optional ``"observation"`` entry of the final position, packed by :func:`pack_observation`
    (``{"seat", "shape", "dtype", "data"}``); read it back with :meth:`final_observation_array`."""
    metadata: dict[str, Any] = field(default_factory=dict)
    """Free JSON scalars: ``date``, ``event``, ``round``, ``seed``, ``termination``
    (``"terminated"``, ``"truncated"``, ``"max_moves"``, ``"unfinished"``), ``result`` (``"1-0"``, ``"B+3.5"``)..."""

    def __post_init__(self) -> None:
        _check_fields(self)

    def winner(self) -> str | None:
        """The seat with the strictly highest reward, or None (a draw or no result)."""
        best = max(self.rewards.values(), default=0.0)
        top = [s for s in self.seats if self.rewards.get(s, 0.0) == best]
        return top[0] if len(top) == 1 else None

    def final_observation_array(self) -> np.ndarray | None:
        """The final observation as an array (None if the record holds none)."""
        return None if self.final_observation is None else unpack_observation(self.final_observation)

    def to_json(self) -> dict[str, Any]:
        """The record as a JSON object (``"format"`` first)."""
        data: dict[str, Any] = {
            "format": FORMAT,
            "game": self.game,
            "env_kwargs": dict(self.env_kwargs),
            "players": list(self.players),
            "seats": list(self.seats),
            "actions": [int(a) for a in self.actions],
            "rewards": {s: float(r) for s, r in self.rewards.items()},
            "metadata": dict(self.metadata),
        }
        if self.final_observation is not None:
            data["final_observation"] = dict(self.final_observation)
        return data

    @classmethod
    def from_json(cls, data: Any) -> GameRecord:
        """A record from a parsed JSON object, every field checked (:class:`RecordError` names the bad one)."""
        if not isinstance(data, dict):
            raise RecordError(f"a game record is a JSON object, got {type(data).__name__}")
        tag = data.get("format")
        if tag != FORMAT:
            raise RecordError(f"unknown record format {tag!r}: this reader reads {FORMAT!r}")
        unknown = set(data) - {"format", "game", "env_kwargs", "players", "seats", "actions", "rewards",
                               "final_observation", "metadata"}
        if unknown:
            raise RecordError(f"unknown fields {sorted(unknown)} in a {FORMAT} record")
        missing = [k for k in ("game", "players", "seats", "actions", "rewards") if k not in data]
        if missing:
            raise RecordError(f"missing fields {missing}")
        return cls(game=data["game"], env_kwargs=data.get("env_kwargs", {}), players=data["players"],
                   seats=data["seats"], actions=data["actions"], rewards=data["rewards"],
                   final_observation=data.get("final_observation"), metadata=data.get("metadata", {}))


def _check_fields(record: GameRecord) -> None:
    if not isinstance(record.game, str) or not _GAME_NAME.match(record.game):
        raise RecordError(f"game must be a PettingZoo module name or registry id ('connect_four_v3', "
                          f"'classic/connect_four-v3'), got {record.game!r:.100}")
    _check_scalar_dict("env_kwargs", record.env_kwargs)
    _check_scalar_dict("metadata", record.metadata)
    for name in ("players", "seats"):
        value = getattr(record, name)
        if not isinstance(value, list) or not all(isinstance(v, str) and len(v) <= 1000 for v in value):
            raise RecordError(f"{name} must be a list of strings, got {value!r:.200}")
    if not record.seats or len(set(record.seats)) != len(record.seats):
        raise RecordError(f"seats must be distinct agent names, got {record.seats!r}")
    if len(record.players) != len(record.seats):
        raise RecordError(f"{len(record.seats)} seats but {len(record.players)} players")
    actions = record.actions
    if not isinstance(actions, list) or len(actions) > MAX_ACTIONS:
        raise RecordError(f"actions must be a list of at most {MAX_ACTIONS} action numbers")
    for ply, action in enumerate(actions):
        if isinstance(action, bool) or not isinstance(action, int) or action < 0:
            raise RecordError(f"action at ply {ply} must be a non-negative integer, got {action!r:.50}")
    rewards = record.rewards
    if not isinstance(rewards, dict) or set(rewards) != set(record.seats):
        raise RecordError(f"rewards must name every seat {record.seats} once, got {rewards!r:.200}")
    for seat, reward in rewards.items():
        if isinstance(reward, bool) or not isinstance(reward, (int, float)) or not math.isfinite(reward):
            raise RecordError(f"reward of {seat!r} must be a finite number, got {reward!r:.50}")
    if record.final_observation is not None:
        unpack_observation(record.final_observation)  # raises RecordError when malformed


def _check_scalar_dict(name: str, value: Any) -> None:
    if not isinstance(value, dict) or len(value) > 100:
        raise RecordError(f"{name} must be a JSON object of at most 100 entries, got {value!r:.200}")
    for key, item in value.items():
        if not isinstance(key, str) or not isinstance(item, _SCALARS):
            raise RecordError(f"{name}[{key!r}] must be a string, number, boolean or null, got {item!r:.100}")
        if isinstance(item, float) and not math.isfinite(item):
            raise RecordError(f"{name}[{key!r}] must be finite, got {item!r}")
        if isinstance(item, str) and len(item) > 10_000:
            raise RecordError(f"{name}[{key!r}] is longer than 10000 characters")


def pack_observation(observation: Any, seat: str) -> dict[str, Any]:
    """A JSON form of an observation array: shape, dtype and its zlib-compressed bytes in base64."""
    array = np.ascontiguousarray(np.asarray(observation))
    if array.dtype.name not in _OBSERVATION_DTYPES:
        array = array.astype(np.float32)
    data = base64.b64encode(zlib.compress(array.astype(array.dtype.newbyteorder("<")).tobytes(), 6)).decode()
    return {"seat": str(seat), "shape": list(array.shape), "dtype": array.dtype.name, "data": data}


def unpack_observation(packed: Any) -> np.ndarray:
    """The array of :func:`pack_observation`'s output, every part checked (no pickle, bounded size)."""
    if not isinstance(packed, dict) or set(packed) != {"seat", "shape", "dtype", "data"}:
        raise RecordError("final_observation must be an object with exactly seat, shape, dtype and data")
    shape, dtype, data = packed["shape"], packed["dtype"], packed["data"]
    if not isinstance(packed["seat"], str):
        raise RecordError("final_observation.seat must be a string")
    if (not isinstance(shape, list) or len(shape) > 8
            or not all(isinstance(n, int) and not isinstance(n, bool) and 0 <= n for n in shape)):
        raise RecordError(f"final_observation.shape must be a list of at most 8 sizes, got {shape!r:.100}")
    if dtype not in _OBSERVATION_DTYPES:
        raise RecordError(f"final_observation.dtype must be one of {_OBSERVATION_DTYPES}, got {dtype!r:.50}")
    expected = int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize
    if expected > MAX_OBSERVATION_BYTES:
        raise RecordError(f"final_observation of {expected} bytes is larger than {MAX_OBSERVATION_BYTES}")
    if not isinstance(data, str):
        raise RecordError("final_observation.data must be a base64 string")
    try:
        decompressor = zlib.decompressobj()
        raw = decompressor.decompress(base64.b64decode(data, validate=True), expected + 1)
    except (ValueError, zlib.error) as error:
        raise RecordError(f"final_observation.data is not base64 zlib data: {error}") from None
    if len(raw) != expected:
        raise RecordError(f"final_observation.data holds {len(raw)} bytes; shape {shape} of {dtype} needs {expected}")
    return np.frombuffer(raw, dtype=np.dtype(dtype).newbyteorder("<")).astype(dtype).reshape(shape)
