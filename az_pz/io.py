"""Deprecated name of :mod:`az_pz.atomic_files` (a module named like the standard library's ``io`` misleads
readers and tools); it goes in the next release."""

import warnings as _warnings

from az_pz.atomic_files import *  # noqa: F401,F403

_warnings.warn("az_pz.io is now az_pz.atomic_files", DeprecationWarning, stacklevel=2)
