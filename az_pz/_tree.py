"""Old name of :mod:`az_pz.tree` (the search's numba kernels); ``import az_pz._tree`` gives that same module."""

from __future__ import annotations

import sys

from az_pz import tree

sys.modules[__name__] = tree
