"""Run directories on disk: ``config.json``, checkpoint directories assembled atomically with a sha256
manifest in ``state.json``, ``latest``, pruning, and verification on load (see :mod:`az_pz.checkpoint`)."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from az_pz.checkpoint.formats import (_ITER, CHECKPOINT_FORMAT, RUN_FORMAT, CheckpointError,
                                      earlier_checkpoint_command, versions)
from az_pz.config import RunConfig, config_from_json, config_to_json
from az_pz.atomic_files import _UMASK, atomic_write_bytes, atomic_write_json, fsync_dir, load_json
from az_pz.task import TaskSpec

__all__ = ["find_checkpoint", "latest_checkpoint", "read_checkpoint_state", "read_run_config", "save_checkpoint",
           "write_run_config"]


def write_run_config(run_dir: str | os.PathLike, config: RunConfig, spec: TaskSpec) -> None:
    """Write ``RUN_DIR/config.json`` (resolved config, task spec, versions)."""
    atomic_write_json(Path(run_dir) / "config.json", {
        "format": RUN_FORMAT, "config": config_to_json(config), "task": spec.to_json(), "versions": versions()})


def read_run_config(run_dir: str | os.PathLike) -> tuple[RunConfig, dict[str, Any]]:
    """``(RunConfig, task spec JSON)`` of a run directory; raises :class:`CheckpointError` for a foreign one."""
    path = Path(run_dir) / "config.json"
    data = _read_format(path, RUN_FORMAT, "run config", f"{run_dir} is not an az_pz run directory: {path} is missing. "
                        "Pass the directory that `az-pz train` created (it holds config.json and checkpoints/).")
    try:
        return config_from_json(data["config"]), data["task"]
    except (KeyError, TypeError, ValueError) as error:
        raise CheckpointError(f"{path} holds an invalid config: {error}") from error


def _read_format(path: Path, format_name: str, what: str, missing: str) -> dict[str, Any]:
    """The JSON object in ``path``, whose ``format`` must be ``format_name``; a :class:`CheckpointError` says what is
    wrong: the file is missing (``missing``: what to pass instead), damaged, or not an az_pz ``what``."""
    if not path.is_file():
        raise CheckpointError(missing)
    try:
        data = load_json(path)
    except ValueError as error:
        raise CheckpointError(f"{path} is damaged: {error}") from error
    if not isinstance(data, dict) or data.get("format") != format_name:
        found = data.get("format") if isinstance(data, dict) else None
        raise CheckpointError(f"{path} is not an az_pz {what} (format {found!r}, expected {format_name!r})")
    return data


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
    state = _read_format(path, CHECKPOINT_FORMAT, "checkpoint state", f"{checkpoint} is not a complete checkpoint: "
                         "state.json is missing. Resume from the run directory (it uses checkpoints/latest).")
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
