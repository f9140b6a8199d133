"""Moved to :mod:`az_pz.adapters.games.go.engine` (the go package).

The old import path keeps working: it is the same module object, privates included."""

import sys

from az_pz.adapters.games.go import engine as _moved

sys.modules[__name__] = _moved
