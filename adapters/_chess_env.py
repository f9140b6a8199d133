"""Moved to :mod:`az_pz.adapters.games.chess.env` (the chess package).

The old import path keeps working: it is the same module object, privates included."""

import sys

from az_pz.adapters.games.chess import env as _moved

sys.modules[__name__] = _moved
