"""Run directories and checkpoints: safetensors + JSON + npz, atomic, no pickle.

Layout of a run directory::

    RUN_DIR/
      config.json                 resolved RunConfig, task spec, library versions
      metrics.jsonl               one JSON object per iteration
      tensorboard/                TensorBoard event files
      checkpoints/
        iter_0007/
          model.safetensors       network weights (metadata: game, task spec, network config)
          optimizer.safetensors   AdamW tensors, flattened; scalars and param groups as JSON metadata
          replay.npz              replay buffer
          best_model.safetensors  gating arena's best network (only with gating)
          state.json              iteration, RNG states, counters, LR schedule, sha256 of every file
        latest                    name of the newest complete checkpoint, written LAST

A checkpoint is assembled in a hidden temporary directory, every file fsynced, ``state.json``
written last, then the directory is renamed into place and only then is ``latest`` replaced
(atomically). A ``kill -9`` at any instant therefore leaves ``latest`` naming a complete,
verified checkpoint. Loading checks the format, the game, the network shapes and every file's
hash, and raises :class:`CheckpointError` naming what is wrong and what to do; it never writes.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors import SafetensorError
from safetensors.torch import load as st_load_bytes
from safetensors.torch import save as st_save_bytes

from az_pz.config import RunConfig, config_from_json, config_to_json
from az_pz.io import _UMASK, atomic_write_bytes, atomic_write_json, fsync_dir, load_json
from az_pz.task import TaskSpec

__all__ = [
    "CheckpointError",
    "find_checkpoint",
    "latest_checkpoint",
    "load_model_bytes",
    "load_model_weights",
    "load_optimizer",
    "optimizer_from_bytes",
    "optimizer_to_bytes",
    "read_checkpoint_state",
    "read_run_config",
    "save_checkpoint",
    "versions",
    "write_run_config",
]

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


# --------------------------------------------------------------------------- run config


def write_run_config(run_dir: str | os.PathLike, config: RunConfig, spec: TaskSpec) -> None:
    """Write ``RUN_DIR/config.json`` (resolved config, task spec, versions)."""
    atomic_write_json(Path(run_dir) / "config.json", {
        "format": RUN_FORMAT, "config": config_to_json(config), "task": spec.to_json(), "versions": versions()})


def read_run_config(run_dir: str | os.PathLike) -> tuple[RunConfig, dict[str, Any]]:
    """``(RunConfig, task spec JSON)`` of a run directory; raises :class:`CheckpointError` for a foreign one."""
    path = Path(run_dir) / "config.json"
    if not path.is_file():
        raise CheckpointError(f"{run_dir} is not an az_pz run directory: {path} is missing. "
                              "Pass the directory that `az-pz train` created (it holds config.json and checkpoints/).")
    try:
        data = load_json(path)
    except ValueError as error:
        raise CheckpointError(f"{path} is damaged: {error}") from error
    if not isinstance(data, dict) or data.get("format") != RUN_FORMAT:
        raise CheckpointError(f"{path} is not an az_pz run config (format {data.get('format') if isinstance(data, dict) else None!r}, "
                              f"expected {RUN_FORMAT!r})")
    try:
        return config_from_json(data["config"]), data["task"]
    except (KeyError, TypeError, ValueError) as error:
        raise CheckpointError(f"{path} holds an invalid config: {error}") from error


# --------------------------------------------------------------------------- optimizer


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


# --------------------------------------------------------------------------- checkpoints


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save_checkpoint(run_dir: str | os.PathLike, iteration: int, files: dict[str, bytes | Any],
                    state: dict[str, Any], *, keep: int = 3, keep_every: int = 0) -> Path:
    """Write ``checkpoints/iter_XXXX`` atomically, then point ``latest`` at it, then prune old ones.

    Pruning keeps the newest ``keep`` checkpoints and every ``keep_every``-th iteration's (0: none).

    ``files`` maps file names to bytes, or to an object with ``save(path)`` (the replay buffer).
    ``state`` is stored as ``state.json`` together with the hash of every file.
    """
    root = Path(run_dir) / "checkpoints"
    name = f"iter_{iteration:04d}"
    try:
        root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{name}.", suffix=".tmp", dir=root))
    except OSError as error:  # read-only, permission denied: name the checkpoint, not a temp name
        raise OSError(error.errno, error.strerror, str(root / name)) from None
    os.chmod(tmp, 0o777 & ~_UMASK)  # mkdtemp makes 0700
    try:
        manifest = {}
        for file_name, content in files.items():
            target = tmp / file_name
            try:
                if isinstance(content, (bytes, bytearray)):
                    atomic_write_bytes(target, bytes(content))
                else:
                    content.save(target)
            except OSError as error:  # disk full: `latest` still names the previous checkpoint
                raise OSError(error.errno, error.strerror, str(root / name / file_name)) from None
            manifest[file_name] = {"bytes": target.stat().st_size, "sha256": _sha256(target)}
        atomic_write_json(tmp / "state.json", {"format": CHECKPOINT_FORMAT, "iteration": iteration,
                                               "saved_at": time.time(), "files": manifest, **state})
        fsync_dir(tmp)
        final = root / name
        if final.exists():  # left by a run that died before publishing it; never the one `latest` names
            trash = Path(tempfile.mkdtemp(prefix=f".{name}.", suffix=".old", dir=root))
            os.replace(final, trash / name)
            shutil.rmtree(trash, ignore_errors=True)
        os.replace(tmp, final)
        fsync_dir(root)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    atomic_write_bytes(root / "latest", (name + "\n").encode())
    _prune(root, keep=keep, newest=name, keep_every=keep_every)
    return final


def _prune(root: Path, *, keep: int, newest: str, keep_every: int = 0) -> None:
    def iteration(path: Path) -> int:
        return int(_ITER.match(path.name)[1])

    done = sorted((p for p in root.iterdir() if _ITER.match(p.name)), key=iteration)
    rolling = [p for p in done if not (keep_every and iteration(p) % keep_every == 0)]
    for old in [p for p in rolling if p.name != newest][: max(0, len(rolling) - keep)]:
        shutil.rmtree(old, ignore_errors=True)
    for stale in root.glob(".iter_*"):  # temp dirs of saves killed midway
        shutil.rmtree(stale, ignore_errors=True)


def latest_checkpoint(run_dir: str | os.PathLike) -> Path | None:
    """The checkpoint ``latest`` names, or None when the run has none yet."""
    root = Path(run_dir) / "checkpoints"
    pointer = root / "latest"
    if not pointer.is_file():
        return None
    name = pointer.read_text().strip()
    if not _ITER.match(name):
        raise CheckpointError(f"{pointer} is damaged (holds {name[:40]!r}); point it at a directory in {root}")
    return root / name


def find_checkpoint(path: str | os.PathLike) -> tuple[Path, Path]:
    """``(run_dir, checkpoint_dir)`` for a run directory (its latest checkpoint) or a checkpoint directory."""
    path = Path(path)
    if not path.exists():
        raise CheckpointError(f"{path} does not exist")
    if (path / "state.json").is_file() and path.parent.name == "checkpoints":
        return path.parent.parent, path
    if (path / "config.json").is_file():
        checkpoint = latest_checkpoint(path)
        if checkpoint is None:
            raise CheckpointError(f"{path} has no checkpoint yet (checkpoints/latest is missing); "
                                  "train at least one iteration, or start a new run.")
        return path, checkpoint
    raise CheckpointError(f"{path} is neither an az_pz run directory (with config.json) nor a checkpoint "
                          "directory (checkpoints/iter_XXXX with state.json)")


def read_checkpoint_state(checkpoint: str | os.PathLike, spec: TaskSpec | None = None) -> dict[str, Any]:
    """``state.json`` of a checkpoint after checking its format, game and every file's size and hash."""
    checkpoint = Path(checkpoint)
    path = checkpoint / "state.json"
    if not path.is_file():
        raise CheckpointError(f"{checkpoint} is not a complete checkpoint: state.json is missing. "
                              "Resume from the run directory (it uses checkpoints/latest).")
    try:
        state = load_json(path)
    except ValueError as error:
        raise CheckpointError(f"{path} is damaged: {error}") from error
    if not isinstance(state, dict) or state.get("format") != CHECKPOINT_FORMAT:
        raise CheckpointError(f"{path} is not an az_pz checkpoint state (expected format {CHECKPOINT_FORMAT!r})")
    if spec is not None and state.get("game") not in (None, spec.name):
        raise CheckpointError(f"{checkpoint} belongs to a {state.get('game')!r} run, not {spec.name!r}")
    for name, facts in _file_hashes(state, checkpoint, path).items():
        file = checkpoint / name
        if not file.is_file():
            raise CheckpointError(f"{file} is missing; the checkpoint is incomplete. Resume from an earlier "
                                  f"checkpoint: {earlier_checkpoint_command(checkpoint)}")
        if file.stat().st_size != facts["bytes"] or _sha256(file) != facts["sha256"]:
            raise CheckpointError(f"{file} is damaged (size or sha256 differs from state.json: truncated or "
                                  "overwritten). Resume from an earlier checkpoint: "
                                  f"{earlier_checkpoint_command(checkpoint)}")
    return state


def _file_hashes(state: dict[str, Any], checkpoint: Path, path: Path) -> dict[str, dict[str, Any]]:
    """``state["files"]`` checked to be what ``save_checkpoint`` writes: plain file names (no path) with their
    size and sha256, the weights among them, and every data file of the directory listed. A state.json
    without its hashes is refused: nothing it does not vouch for is loaded."""
    files = state.get("files")
    if not isinstance(files, dict) or "model.safetensors" not in files:
        raise CheckpointError(f"{path} lists no file hashes (its 'files' entry is missing or names no "
                              "model.safetensors), so nothing in the checkpoint can be verified; it was not written "
                              "by az_pz's save_checkpoint. Resume from an earlier checkpoint: "
                              f"{earlier_checkpoint_command(checkpoint)}")
    for name, facts in files.items():
        if (not isinstance(name, str) or name != Path(name).name or name in ("", ".", "..", "state.json")
                or not isinstance(facts, dict) or not isinstance(facts.get("bytes"), int)
                or not isinstance(facts.get("sha256"), str) or not re.fullmatch(r"[0-9a-f]{64}", facts["sha256"])):
            raise CheckpointError(f"{path} has an invalid 'files' entry {str(name)[:60]!r}: {str(facts)[:80]} "
                                  "(expected a file name with its 'bytes' and 'sha256')")
    unlisted = sorted(f.name for f in checkpoint.iterdir() if f.is_file() and f.name != "state.json"
                      and f.suffix in (".safetensors", ".npz", ".json") and f.name not in files)
    if unlisted:
        raise CheckpointError(f"{checkpoint} holds {', '.join(unlisted)}, which state.json does not list with a hash; "
                              "the checkpoint was changed after it was written. Resume from an earlier checkpoint: "
                              f"{earlier_checkpoint_command(checkpoint)}")
    return files


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


def load_optimizer(checkpoint: str | os.PathLike, optimizer: torch.optim.Optimizer) -> None:
    path = Path(checkpoint) / "optimizer.safetensors"
    optimizer_from_bytes(path.read_bytes(), optimizer, name=str(path))


# --------------------------------------------------------------------------- RNG states as JSON


def rng_state(generator: np.random.Generator) -> dict[str, Any]:
    """JSON-ready RNG states: the run's numpy Generator, numpy's global state, torch and python random, and
    (``torch_cuda``, one base64 string per device) torch's CUDA generators once this process has used CUDA.

    A process that never touched CUDA has nothing to save there, and asking would start a CUDA context on
    every device, so CPU runs (on any machine) write exactly what they wrote before.
    """
    import random

    legacy = np.random.get_state()
    py = random.getstate()
    state = {
        "numpy_generator": generator.bit_generator.state,
        "numpy_global": [legacy[0], legacy[1].tolist(), *legacy[2:]],
        "torch": _b64(torch.get_rng_state()),
        "python": [py[0], list(py[1]), py[2]],
    }
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state["torch_cuda"] = [_b64(device_state) for device_state in torch.cuda.get_rng_state_all()]
    return state


def restore_rng_state(state: dict[str, Any], generator: np.random.Generator) -> None:
    """Put back what :func:`rng_state` saved. The CUDA generators are restored when this machine has as many
    CUDA devices as the saving one (a warning says so otherwise: the run goes on, not bit-for-bit)."""
    import random
    import warnings

    generator.bit_generator.state = state["numpy_generator"]
    legacy = state["numpy_global"]
    np.random.set_state((legacy[0], np.array(legacy[1], np.uint32), *legacy[2:]))
    torch.set_rng_state(_from_b64(state["torch"]))
    py = state["python"]
    random.setstate((py[0], tuple(py[1]), py[2]))
    saved_cuda = state.get("torch_cuda")
    if not saved_cuda:  # saved by a process that never used CUDA
        return
    here = torch.cuda.device_count() if torch.cuda.is_available() else 0
    if here == len(saved_cuda):
        torch.cuda.set_rng_state_all([_from_b64(device_state) for device_state in saved_cuda])
    else:
        warnings.warn(f"the checkpoint holds CUDA RNG states for {len(saved_cuda)} device(s) and this machine has "
                      f"{here}: they are not restored, so the resumed run's CUDA random numbers differ",
                      RuntimeWarning, stacklevel=2)


def _b64(rng: torch.Tensor) -> str:
    """A torch RNG state (uint8 tensor, CPU) as base64 text for JSON."""
    import base64

    return base64.b64encode(rng.cpu().numpy().tobytes()).decode()


def _from_b64(text: str) -> torch.Tensor:
    import base64

    return torch.from_numpy(np.frombuffer(base64.b64decode(text), np.uint8).copy())
