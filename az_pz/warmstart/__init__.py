"""Learning from recorded games and earlier runs before (and beside) self-play.

* :func:`warm_start` prepares a new run from recorded games (``.jsonl``, ``.pgn``, ``.sgf``), another
  run's network (``init_from``) or replay buffer (``replay_from``), and writes its first checkpoint;
* :func:`positions_from_records` turns records into training positions, replaying each through the rules;
* :func:`random_play_positions` gives the positions of random games (``selfplay.random_games``).

The commands: ``az-pz pretrain GAME RECORDS... --run-dir RUN`` and ``az-pz train GAME --warm-start
RECORDS... [--init-from RUN] [--replay-from RUN]`` (docs/warm_start.md).
"""

from az_pz.warmstart.carry import CarryReport, init_from, replay_from
from az_pz.warmstart.positions import (RecordStats, positions_from_record, positions_from_records,
                                       random_play_positions)
from az_pz.warmstart.pretrain import WarmStart, WarmStartReport, warm_start
from az_pz.warmstart.sources import RECORD_SUFFIXES, read_records, record_files

__all__ = ["CarryReport", "RECORD_SUFFIXES", "RecordStats", "WarmStart", "WarmStartReport", "init_from",
           "positions_from_record", "positions_from_records", "random_play_positions", "read_records",
           "record_files", "replay_from", "warm_start"]
