"""Run directories: who may write one, which checkpoint a resume starts from, and forks.

Rules (``docs/training.md``, "Run directories"):

- a new run goes into a directory that does not exist or is empty; a directory holding anything else is
  refused before anything is written, and an existing az_pz run is refused with the ``--resume`` hint;
- one writer per run: a trainer holds an OS lock (``fcntl.flock``) on ``RUN_DIR/trainer.lock`` for its
  lifetime, with its PID written inside; a second trainer is refused naming that PID. The OS drops the
  lock when the holder dies, ``kill -9`` included, so a lock left by a killed process never blocks;
- a resume never starts a run over and never deletes a checkpoint: it starts from the checkpoint
  ``checkpoints/latest`` names, or, when that pointer is missing or damaged, from the newest checkpoint
  that verifies (saying so), or refuses;
- resuming from an earlier checkpoint forks: the chosen checkpoint is copied into a new run directory,
  which continues from it; the original run is left exactly as it was.
"""

from __future__ import annotations

import errno
import gc
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Callable

from az_pz.checkpoint import CheckpointError, read_checkpoint_state
from az_pz.task import TaskSpec

__all__ = ["LOCK_NAME", "RunLock", "RunLockedError", "check_new_run_dir", "choose_checkpoint", "fork_run",
           "is_run_dir", "list_checkpoints"]

LOCK_NAME = "trainer.lock"
_ITER = re.compile(r"^iter_(\d+)$")


class RunLockedError(CheckpointError):
    """Another live trainer holds the run directory."""


def is_run_dir(path: str | os.PathLike) -> bool:
    """True when ``path`` holds an az_pz run (its ``config.json`` or a ``checkpoints/`` folder)."""
    path = Path(path)
    return (path / "config.json").is_file() or (path / "checkpoints").is_dir()


def check_new_run_dir(run_dir: str | os.PathLike) -> None:
    """Refuse ``run_dir`` for a new run unless it is missing or empty (a lone ``trainer.lock`` counts as
    empty: a run killed before it wrote ``config.json``). Writes nothing."""
    run_dir = Path(run_dir)
    if not run_dir.exists():
        return
    if not run_dir.is_dir():
        raise CheckpointError(f"--run-dir {run_dir} is a file, not a directory; choose another --run-dir")
    if is_run_dir(run_dir):
        raise CheckpointError(f"{run_dir} already holds a run; continue it with: az-pz train --resume "
                              f"{run_dir} (Trainer.resume), or choose another --run-dir")
    entries = [p.name for p in run_dir.iterdir() if p.name != LOCK_NAME]
    if entries:
        shown = ", ".join(sorted(entries)[:3]) + (", ..." if len(entries) > 3 else "")
        raise CheckpointError(f"--run-dir {run_dir} is not empty ({shown}) and is not an az_pz run; "
                              "nothing was written. Choose a new or empty directory")


class RunLock:
    """An exclusive ``fcntl.flock`` on ``RUN_DIR/trainer.lock`` held until :meth:`release` (or process death).

    The file stays in place (removing it would let two processes lock two different files); its content
    is the PID of the holder, for the message a second trainer gets.
    """

    def __init__(self, run_dir: str | os.PathLike) -> None:
        self.path = Path(run_dir) / LOCK_NAME
        self._fd: int | None = None
        self.acquire()

    def acquire(self) -> None:
        import fcntl

        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as error:
            raise OSError(error.errno, f"cannot create the run lock: {error.strerror}", str(self.path)) from None
        for attempt in range(2):
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as error:
                if error.errno not in (errno.EAGAIN, errno.EACCES):
                    os.close(fd)
                    raise
                holder = _read_pid(fd)
                if attempt == 0 and holder == os.getpid():
                    gc.collect()  # a Trainer of this process that is garbage but not yet collected holds it
                    continue
                os.close(fd)
                who = f"PID {holder}" if holder else "another process"
                raise RunLockedError(f"{self.path.parent} is in use by another trainer ({who} holds {self.path}); "
                                     "wait for it to end or stop it, then resume with: az-pz train --resume "
                                     f"{self.path.parent}") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        """Drop the lock (the file stays). Safe to call twice."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)  # closing the descriptor releases the flock

    def __del__(self) -> None:
        self.release()


def _read_pid(fd: int) -> int | None:
    try:
        return int(os.pread(fd, 32, 0).decode().strip() or 0) or None
    except (OSError, ValueError):
        return None


def list_checkpoints(run_dir: str | os.PathLike) -> list[Path]:
    """The run's ``checkpoints/iter_XXXX`` directories, oldest first."""
    root = Path(run_dir) / "checkpoints"
    if not root.is_dir():
        return []
    return sorted((p for p in root.iterdir() if _ITER.match(p.name) and p.is_dir()),
                  key=lambda p: int(_ITER.match(p.name)[1]))


def _verifies(checkpoint: Path, spec: TaskSpec | None) -> str | None:
    """None when ``checkpoint`` verifies, else why not."""
    try:
        read_checkpoint_state(checkpoint, spec)
    except CheckpointError as error:
        return str(error)
    return None


def choose_checkpoint(run_dir: str | os.PathLike, spec: TaskSpec | None = None, name: str | None = None, *,
                      say: Callable[[str], None] = print) -> Path | None:
    """The checkpoint a resume of ``run_dir`` starts from (verified), or None for a run without checkpoints.

    ``name`` (``iter_0040`` or a checkpoint path) picks one; otherwise ``checkpoints/latest`` decides, and a
    missing or damaged pointer falls back to the newest checkpoint that verifies, saying so through ``say``.
    Newer checkpoints that fail to verify are renamed aside (``iter_0008.damaged``), never deleted.
    """
    run_dir = Path(run_dir)
    root = run_dir / "checkpoints"
    if name is not None:
        checkpoint = Path(name) if os.sep in str(name) else root / str(name)
        if not checkpoint.is_dir():
            known = ", ".join(p.name for p in list_checkpoints(run_dir)) or "none"
            raise CheckpointError(f"{run_dir} has no checkpoint {name!r} (checkpoints: {known})")
        read_checkpoint_state(checkpoint, spec)
        return checkpoint
    pointer = root / "latest"
    problem = None
    if pointer.is_file():
        try:
            text = pointer.read_text().strip()
        except (OSError, UnicodeDecodeError) as error:
            text, problem = "", f"{pointer} is unreadable ({error})"
        if problem is None and _ITER.match(text) and (root / text).is_dir():
            read_checkpoint_state(root / text, spec)  # damaged: the error names the command for an earlier one
            return root / text
        problem = problem or f"{pointer} is damaged (holds {text[:40]!r})"
    elif list_checkpoints(run_dir):
        problem = f"{pointer} is missing"
    else:
        return None  # config.json only: the run never finished an iteration, nothing to lose
    candidates = list_checkpoints(run_dir)
    failures = []
    for checkpoint in reversed(candidates):
        why = _verifies(checkpoint, spec)
        if why is None:
            for bad, _ in failures:
                aside = _free_name(bad.with_name(bad.name + ".damaged"))
                os.replace(bad, aside)
                say(f"moved the damaged checkpoint {bad.name} aside to {aside}")
            say(f"{problem}; resuming from {checkpoint.name}, the newest checkpoint that verifies")
            return checkpoint
        failures.append((checkpoint, why))
    details = "; ".join(why for _, why in failures[:2]) or "no checkpoint directories"
    raise CheckpointError(f"{problem} and no checkpoint of {run_dir} verifies ({details}); nothing was changed")


def _free_name(path: Path) -> Path:
    candidate, n = path, 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.name}{n}")
    return candidate


def fork_run(source_run: str | os.PathLike, checkpoint: Path, new_run: str | os.PathLike) -> Path:
    """Start ``new_run`` from ``checkpoint`` of ``source_run``: its ``config.json``, the metrics up to that
    iteration and a copy of the checkpoint (published atomically, ``latest`` last). ``source_run`` is only
    read. Returns the copied checkpoint."""
    from az_pz.atomic_files import atomic_write_bytes, fsync_dir, load_json

    source_run, new_run = Path(source_run), Path(new_run)
    check_new_run_dir(new_run)
    iteration = int(load_json(checkpoint / "state.json")["iteration"])
    root = new_run / "checkpoints"
    root.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(new_run / "config.json", (source_run / "config.json").read_bytes())
    metrics = source_run / "metrics.jsonl"
    if metrics.is_file():
        import json

        kept = []
        for line in metrics.read_text().splitlines():
            try:
                if json.loads(line).get("iteration", 0) <= iteration:
                    kept.append(line + "\n")
            except ValueError:
                continue
        atomic_write_bytes(new_run / "metrics.jsonl", "".join(kept).encode())
    tmp = Path(tempfile.mkdtemp(prefix=f".{checkpoint.name}.", suffix=".tmp", dir=root))
    try:
        shutil.copytree(checkpoint, tmp / checkpoint.name)
        os.replace(tmp / checkpoint.name, root / checkpoint.name)
        fsync_dir(root)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    atomic_write_bytes(root / "latest", (checkpoint.name + "\n").encode())
    return root / checkpoint.name
