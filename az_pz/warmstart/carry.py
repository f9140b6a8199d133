"""Start a run from another run: its network (``--init-from``) or its replay buffer (``--replay-from``).

The other run is read as data only: its ``config.json`` names the game, its newest checkpoint is verified
(sizes and hashes in ``state.json``) and its weights come from safetensors, so nothing is unpickled or
imported. Weights are carried tensor by tensor where name and shape agree; a go network trained on another
board size keeps its convolutional trunk (fully convolutional) and drops what depends on the board's area
(the linear layers of the heads), and the report says which.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import torch

from az_pz import checkpoint as ckpt
from az_pz.games import canonical_name
from az_pz.replay import ReplayBuffer
from az_pz.task import TaskSpec

__all__ = ["CarryReport", "init_from", "replay_from"]


@dataclass
class CarryReport:
    """Which tensors of the new network came from the other run."""

    source: str
    """The checkpoint the weights were read from."""
    carried: list[str] = field(default_factory=list)
    """Tensors copied (name and shape agree)."""
    kept: list[str] = field(default_factory=list)
    """Tensors left at their fresh initialization (missing in the source, or of another shape)."""

    def summary(self) -> str:
        line = f"init-from {self.source}: carried {len(self.carried)} tensors, kept {len(self.kept)} fresh"
        if self.kept:
            shown = ", ".join(self.kept[:6]) + (" ..." if len(self.kept) > 6 else "")
            line += f" ({shown})"
        return line


def _source_checkpoint(run: str | os.PathLike, spec: TaskSpec, *, same_shape: bool) -> Path:
    run_dir, checkpoint = ckpt.find_checkpoint(run)
    config, task_json = ckpt.read_run_config(run_dir)
    if canonical_name(config.game) != canonical_name(spec.name):
        raise ckpt.CheckpointError(f"{run_dir} is a {config.game!r} run; this run plays {spec.name!r}")
    if same_shape and task_json != spec.to_json():
        raise ckpt.CheckpointError(f"{run_dir} was trained with spec {task_json}, this run has {spec.to_json()}; "
                                   "a replay buffer only carries over between identical games and settings")
    ckpt.read_checkpoint_state(checkpoint)  # every file's size and hash
    return checkpoint


def init_from(network: torch.nn.Module, run: str | os.PathLike, spec: TaskSpec) -> CarryReport:
    """Copy into ``network`` every tensor of ``run``'s newest checkpoint whose name and shape agree."""
    from safetensors.torch import load_file

    checkpoint = _source_checkpoint(run, spec, same_shape=False)
    source = load_file(str(checkpoint / "model.safetensors"), device="cpu")
    report = CarryReport(str(checkpoint))
    state = network.state_dict()
    update = {}
    for name, tensor in state.items():
        other = source.get(name)
        if other is not None and other.shape == tensor.shape and other.dtype == tensor.dtype:
            update[name] = other
            report.carried.append(name)
        else:
            report.kept.append(name)
    if not report.carried:
        raise ckpt.CheckpointError(f"no tensor of {checkpoint} fits this network (another network size?); "
                                   "start with the same --network.* options as that run")
    network.load_state_dict(update, strict=False)
    return report


def replay_from(run: str | os.PathLike, spec: TaskSpec, capacity: int) -> ReplayBuffer:
    """The replay buffer of ``run``'s newest checkpoint (the original's ``prevHistory``), newest positions kept."""
    checkpoint = _source_checkpoint(run, spec, same_shape=True)
    path = checkpoint / "replay.npz"
    if not path.is_file():
        raise ckpt.CheckpointError(f"{checkpoint} holds no replay buffer (the run had train.save_replay off)")
    try:
        return ReplayBuffer.load(path, spec, capacity)
    except ValueError as error:
        raise ckpt.CheckpointError(str(error)) from error
