"""Deprecated: matches between agents now live in :mod:`az_pz.matches` (``from az_pz.matches import evaluate``)."""

from __future__ import annotations

import az_pz.matches as _matches
from az_pz._moved import moved
from az_pz.matches import results as _results

__getattr__ = moved("az_pz.arena", _matches, {"_unique_names": (_matches, "unique_names"),
                                              "_csv_bytes": (_results, "csv_bytes")})
