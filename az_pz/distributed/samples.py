"""Deprecated home of the packed-positions format: it lives in :mod:`az_pz.selfplay.jobs` now."""

from az_pz.selfplay.jobs import pack_positions, unpack_positions

__all__ = ["pack_positions", "unpack_positions"]
