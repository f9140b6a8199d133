"""``az-pz bench`` and its measurements, in one place.

* :mod:`~az_pz.bench.benchmark` — :class:`BenchConfig`, :func:`run_benchmark` (one JSON-ready dict: machine,
  versions, config, results) and :func:`format_report` (plain-text tables);
* :mod:`~az_pz.bench.sections` — the measurements themselves: network, search, self-play, training;
* :mod:`~az_pz.bench.env_steps` — fast task against the PettingZoo env it mirrors (steps/s, state copy cost).

``az_pz.benchmark``, ``az_pz.bench_env`` and ``az_pz._bench_sections`` are the former names of these
modules (deprecated aliases).
"""

from __future__ import annotations

from az_pz.bench.benchmark import BenchConfig, format_report, machine_info, run_benchmark
from az_pz.bench.env_steps import bench_env_steps, bench_envs, format_table

__all__ = ["BenchConfig", "bench_env_steps", "bench_envs", "format_report", "format_table", "machine_info",
           "run_benchmark"]
