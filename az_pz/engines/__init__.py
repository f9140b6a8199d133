"""Engines: trained agents behind the protocols of chess and go tools.

* :class:`UciEngine` (``az-pz uci``): the Universal Chess Interface, for chess GUIs, cutechess-cli and
  lichess-bot (``docs/uci.md``);
* :class:`GtpEngine` (``az-pz gtp``): the Go Text Protocol, for go GUIs, bots and referees
  (``docs/gtp.md``); :func:`~az_pz.engines.referee.play_gtp_game` plays two GTP engines against each other;
* :class:`EngineSearch`: the search in increments both use (a clock, a stop, tree reuse between moves);
* :func:`move_time`: the time manager.

The protocol classes take a command line and give answer lines, with no process: the tests speak to
them line by line, and ``az_pz.engines.stdio`` connects them to stdin and stdout.
"""

from az_pz.engines.clock import Clock, TimePolicy, move_time
from az_pz.engines.gtp import GtpEngine
from az_pz.engines.thinking import EngineSearch, Limits, Thought
from az_pz.engines.uci import UciEngine, centipawns

__all__ = ["Clock", "EngineSearch", "GtpEngine", "Limits", "Thought", "TimePolicy", "UciEngine", "centipawns",
           "move_time"]
