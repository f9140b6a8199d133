"""Model and optimizer state as safetensors bytes (tensors plus JSON metadata, no pickle), checked on load
against the format, the game and the network's shapes."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load as st_load_bytes
from safetensors.torch import save as st_save_bytes

from az_pz.checkpoint.formats import MODEL_FORMAT, OPTIMIZER_FORMAT, CheckpointError, earlier_checkpoint_command
from az_pz.task import TaskSpec

__all__ = ["load_model_bytes", "load_model_weights", "load_optimizer", "model_to_bytes", "optimizer_from_bytes",
           "optimizer_to_bytes"]


def optimizer_to_bytes(optimizer: torch.optim.Optimizer) -> bytes:
    """Optimizer state as safetensors: its tensors flattened to ``state/<param>/<name>``; the scalar
    structure (param groups, non-tensor state) as JSON metadata."""
    state_dict = optimizer.state_dict()
    tensors: dict[str, torch.Tensor] = {}
    scalars: dict[str, dict[str, Any]] = {}
    for param_id, entries in state_dict["state"].items():
        for name, value in entries.items():
            if isinstance(value, torch.Tensor):
                tensors[f"state/{param_id}/{name}"] = value.detach().cpu().contiguous()
            else:
                scalars.setdefault(str(param_id), {})[name] = value
    metadata = {"format": OPTIMIZER_FORMAT, "type": type(optimizer).__name__,
                "param_groups": json.dumps(state_dict["param_groups"]), "scalars": json.dumps(scalars)}
    return st_save_bytes(tensors, metadata=metadata)


def optimizer_from_bytes(data: bytes, optimizer: torch.optim.Optimizer, name: str = "optimizer.safetensors") -> None:
    """Restore ``optimizer`` from :func:`optimizer_to_bytes` output."""
    try:
        tensors = st_load_bytes(data)
        metadata = _safetensors_metadata(data)
    except (SafetensorError, ValueError) as error:
        raise CheckpointError(f"{name} is not readable safetensors (truncated?): {error}") from error
    if metadata.get("format") != OPTIMIZER_FORMAT:
        raise CheckpointError(f"{name} is not an az_pz optimizer state")
    if metadata.get("type") != type(optimizer).__name__:
        raise CheckpointError(f"{name} holds a {metadata.get('type')} state, not {type(optimizer).__name__}")
    state: dict[int, dict[str, Any]] = {}
    for key, tensor in tensors.items():
        _, param_id, field = key.split("/", 2)
        state.setdefault(int(param_id), {})[field] = tensor
    for param_id, entries in json.loads(metadata["scalars"]).items():
        state.setdefault(int(param_id), {}).update(entries)
    groups = json.loads(metadata["param_groups"])
    for group in groups:
        if isinstance(group.get("betas"), list):
            group["betas"] = tuple(group["betas"])
    try:
        optimizer.load_state_dict({"state": state, "param_groups": groups})
    except (ValueError, KeyError, RuntimeError) as error:
        raise CheckpointError(f"{name} does not fit this network's parameters: {error}") from error


def _safetensors_metadata(data: bytes) -> dict[str, str]:
    if len(data) < 8:
        raise ValueError("file too short")
    header_len = int.from_bytes(data[:8], "little")
    if header_len > len(data) - 8:
        raise ValueError("header longer than the file")
    return json.loads(data[8 : 8 + header_len]).get("__metadata__", {}) or {}


# --------------------------------------------------------------------------- model


def model_to_bytes(model: torch.nn.Module, spec: TaskSpec, network_config: dict[str, Any]) -> bytes:
    """Weights as safetensors, with the game and network config in the metadata."""
    tensors = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    return st_save_bytes(tensors, metadata={"format": MODEL_FORMAT, "game": spec.name,
                                            "task": json.dumps(spec.to_json()), "network": json.dumps(network_config)})


def load_model_weights(path: str | os.PathLike, model: torch.nn.Module, spec: TaskSpec) -> None:
    """Load ``path`` into ``model``, refusing another game or another network shape with a clear message."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError as error:
        raise CheckpointError(f"{path} is missing") from error
    load_model_bytes(data, model, spec, name=str(path))


def load_model_bytes(data: bytes, model: torch.nn.Module, spec: TaskSpec, name: str = "model") -> None:
    """:func:`load_model_weights` for bytes in memory (``name`` appears in errors)."""
    path = name
    try:
        metadata = _safetensors_metadata(data)
        tensors = st_load_bytes(data)
    except (SafetensorError, ValueError, json.JSONDecodeError) as error:
        raise CheckpointError(f"{path} is not readable safetensors (truncated or foreign file): {error}. "
                              "Resume from an earlier checkpoint of the run: "
                              f"{earlier_checkpoint_command(Path(path).parent)}") from error
    if metadata.get("format") != MODEL_FORMAT:
        raise CheckpointError(f"{path} is not an az_pz model (format {metadata.get('format')!r})")
    task = json.loads(metadata.get("task", "{}"))
    if task != spec.to_json():
        raise CheckpointError(f"{path} was trained for {metadata.get('game')!r} ({task.get('phases')}, "
                              f"{task.get('num_players')} players), not for {spec.name!r} "
                              f"({spec.to_json()['phases']}, {spec.num_players} players). Load it with its own game.")
    expected = model.state_dict()
    missing = sorted(set(expected) - set(tensors))
    unexpected = sorted(set(tensors) - set(expected))
    wrong = [k for k in expected if k in tensors and tuple(tensors[k].shape) != tuple(expected[k].shape)]
    if missing or unexpected or wrong:
        details = []
        if wrong:
            details.append("shape differs for " + ", ".join(
                f"{k} (file {tuple(tensors[k].shape)}, network {tuple(expected[k].shape)})" for k in wrong[:3]))
        if missing:
            details.append(f"missing {missing[:3]}")
        if unexpected:
            details.append(f"unexpected {unexpected[:3]}")
        raise CheckpointError(f"{path} does not fit this network: {'; '.join(details)}. The file was saved with "
                              f"network config {metadata.get('network')}; build the network with that config "
                              "(do not override network.* when loading).")
    model.load_state_dict(tensors)


def load_optimizer(checkpoint: str | os.PathLike, optimizer: torch.optim.Optimizer) -> None:
    path = Path(checkpoint) / "optimizer.safetensors"
    optimizer_from_bytes(path.read_bytes(), optimizer, name=str(path))

