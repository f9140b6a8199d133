"""Deprecated: the env step benchmark now lives in :mod:`az_pz.bench.env_steps` (``from az_pz.bench import
bench_env_steps``)."""

from __future__ import annotations

from az_pz._moved import moved
from az_pz.bench import env_steps as _env_steps

__getattr__ = moved("az_pz.bench_env", _env_steps)
