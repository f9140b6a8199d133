"""Checkpoint formats: the error every loader raises (with :func:`earlier_checkpoint_command`, the advice it
gives), the format tags files carry, the library versions a run records."""

from __future__ import annotations

import os
import re
from pathlib import Path

__all__ = ["CHECKPOINT_FORMAT", "MODEL_FORMAT", "OPTIMIZER_FORMAT", "RUN_FORMAT", "CheckpointError",
           "earlier_checkpoint_command", "versions"]

RUN_FORMAT = "az_pz.run/1"
CHECKPOINT_FORMAT = "az_pz.checkpoint/1"
MODEL_FORMAT = "az_pz.model/1"
OPTIMIZER_FORMAT = "az_pz.optimizer/1"
_ITER = re.compile(r"^iter_(\d+)$")


class CheckpointError(ValueError):
    """A run directory or checkpoint that cannot be loaded; the message says why and what to do."""


def versions() -> dict[str, str]:
    """Versions of the libraries a run depends on (recorded in ``config.json``)."""
    import importlib.metadata as metadata
    import platform

    out = {"python": platform.python_version()}
    for name in ("az_pz", "torch", "numpy", "pettingzoo", "safetensors"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "unknown"
    return out



def earlier_checkpoint_command(checkpoint: str | os.PathLike) -> str:
    """The command that resumes a run from the checkpoint before ``checkpoint`` (a fork, see az_pz.rundir),
    for the errors that advise an earlier checkpoint."""
    checkpoint = Path(checkpoint)
    match = _ITER.match(checkpoint.name)
    if match is None or checkpoint.parent.name != "checkpoints":
        return "az-pz train --resume RUN_DIR --checkpoint iter_XXXX"
    earlier = sorted((int(m[1]) for p in checkpoint.parent.iterdir()
                      if (m := _ITER.match(p.name)) and int(m[1]) < int(match[1])), reverse=True)
    name = f"iter_{earlier[0]:04d}" if earlier else "iter_XXXX"
    return f"az-pz train --resume {checkpoint.parent.parent} --checkpoint {name}"
