"""Game records: keep, read, replay and convert finished games.

* :class:`GameRecord` — one game of any PettingZoo game (players, seats, PettingZoo
  action numbers, final rewards, optional final observation, metadata).
* JSON lines (``.jsonl``, ``"format": "az_pz.game/1"``): :func:`write_jsonl`,
  :func:`append_jsonl`, :func:`read_jsonl`.
* PGN for chess (python-chess) and SGF for go (sgfmill): :func:`write_pgn`,
  :func:`read_pgn`, :func:`write_sgf`, :func:`read_sgf`; readers return GameRecords.
* :func:`read_records` reads any of the three by file suffix.
* :func:`replay` steps a fresh env through a record, checking every move.
* :class:`GameRecorder` keeps the games of ``az-pz arena/eval/play --record DIR``.

Files from elsewhere are untrusted: readers check every field and raise
:class:`RecordError` naming the file, line or game and ply (or pass it to
``on_error=`` and carry on with the next game).
"""

from az_pz.records.files import read_records
from az_pz.records.jsonl import append_jsonl, read_jsonl, write_jsonl
from az_pz.records.pgn import append_pgn, pgn_game, read_pgn, write_pgn
from az_pz.records.record import FORMAT, GameRecord, RecordError, pack_observation, unpack_observation
from az_pz.records.recorder import GameRecorder, record_of_played
from az_pz.records.replay import ReplayStep, final_env, make_env, move_notation, replay
from az_pz.records.sgf import read_sgf, sgf_game, write_sgf

__all__ = [
    "FORMAT",
    "GameRecord",
    "GameRecorder",
    "RecordError",
    "ReplayStep",
    "append_jsonl",
    "append_pgn",
    "final_env",
    "make_env",
    "move_notation",
    "pack_observation",
    "pgn_game",
    "read_jsonl",
    "read_pgn",
    "read_records",
    "read_sgf",
    "record_of_played",
    "replay",
    "sgf_game",
    "unpack_observation",
    "write_jsonl",
    "write_pgn",
    "write_sgf",
]
