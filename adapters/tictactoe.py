"""Moved to :mod:`az_pz.adapters.games.tictactoe.task` (the tic-tac-toe package holds the game).

The old import path keeps working: it is the same module object, privates included."""

import sys

from az_pz.adapters.games.tictactoe import task as _moved

sys.modules[__name__] = _moved
