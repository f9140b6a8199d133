"""Deprecated: the Elo fit now lives in :mod:`az_pz.matches.elo` (``from az_pz.matches import fit_elo``)."""

from __future__ import annotations

from az_pz._moved import moved
from az_pz.matches import elo as _elo

__getattr__ = moved("az_pz.elo", _elo)
