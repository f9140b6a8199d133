"""Moved to :mod:`az_pz.adapters.games.chess.task` (the chess package holds the game).

The old import path keeps working: it is the same module object, privates included."""

import sys

from az_pz.adapters.games.chess import task as _moved

sys.modules[__name__] = _moved
