"""Deprecated home of the worker-process pool: it lives in :mod:`az_pz.selfplay.processes` now."""

from az_pz.selfplay.processes import ProcessSelfPlay, SelfPlayWorkers, WorkerDiedError

__all__ = ["ProcessSelfPlay", "SelfPlayWorkers", "WorkerDiedError"]
