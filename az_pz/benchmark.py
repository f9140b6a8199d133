"""Deprecated: ``az-pz bench`` now lives in :mod:`az_pz.bench` (``from az_pz.bench import run_benchmark``)."""

from __future__ import annotations

from az_pz._moved import moved
from az_pz.bench import benchmark as _benchmark

__getattr__ = moved("az_pz.benchmark", _benchmark)
