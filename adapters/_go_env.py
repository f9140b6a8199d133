"""Moved to :mod:`az_pz.adapters.games.go.env` (the go package).

The old import path keeps working: it is the same module object, privates included."""

import sys

from az_pz.adapters.games.go import env as _moved

sys.modules[__name__] = _moved
