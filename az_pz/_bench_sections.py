"""Deprecated: the measurements of ``az-pz bench`` now live in :mod:`az_pz.bench.sections`."""

from __future__ import annotations

from az_pz._moved import moved
from az_pz.bench import sections as _sections

__getattr__ = moved("az_pz._bench_sections", _sections)
