"""Moved to :mod:`az_pz.adapters.games.go.task` (the go package holds the game).

The old import path keeps working: it is the same module object, privates included."""

import sys

from az_pz.adapters.games.go import task as _moved

sys.modules[__name__] = _moved
