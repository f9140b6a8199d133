"""Old name of :mod:`az_pz.adapters.native` (the base of fast tasks); importing it gives that same module."""

from __future__ import annotations

import sys

from az_pz.adapters import native

sys.modules[__name__] = native
