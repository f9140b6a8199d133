"""Resuming a run (:meth:`az_pz.train.Trainer.resume`): which config, task and directory it continues with
(:func:`prepare`, a fork for an earlier checkpoint), then the checkpoint's state restored (:func:`restore`);
:func:`state` is what :meth:`~az_pz.train.Trainer.save` writes beside the learner's files, :func:`load` its inverse.

A resumed run keeps its game, ``env_kwargs`` and network; ``config.json`` is data, so its game is resolved
among known games only and its sizes are bounded before anything is allocated.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from az_pz import checkpoint as ckpt
from az_pz import rundir, schedule
from az_pz.config import RunConfig, replace_nested
from az_pz.task import Task

__all__ = ["load", "prepare", "restore", "say", "state"]


def say(text: str) -> None:
    """A notice the user must see whatever the progress setting (a fallback checkpoint, a fork)."""
    print(f"az-pz: {text}", file=sys.stderr, flush=True)


def task_of_stored_run(run_dir: Path, config: RunConfig) -> Task:
    """The task of a run's ``config.json`` (game never imported, see :func:`az_pz.games.task_from_file`),
    with its network and replay buffer checked against :mod:`az_pz.bounds` before anything is allocated."""
    from az_pz.bounds import check_network_size, check_replay_size
    from az_pz.games import task_from_file

    source = str(run_dir / "config.json")
    try:
        task = task_from_file(config.game, config.env_kwargs, source)
        check_network_size(task.spec, config.network, source)
        check_replay_size(task.spec, config.train.replay_capacity, source)
    except ValueError as error:
        raise ckpt.CheckpointError(str(error)) from None
    return task


def prepare(run_dir: Path, config: RunConfig | None, task: Task | None, checkpoint: str | None,
            fork_to: str | Path | None, overrides: dict[str, Any]) -> tuple[Path, Task, RunConfig, RunConfig, dict]:
    """``(run directory, task, stored config, config to run, stored task JSON)``; forks first when
    ``checkpoint`` names an earlier checkpoint (or ``fork_to`` is given)."""
    stored, task_json = ckpt.read_run_config(run_dir)
    if task is None:
        task = task_of_stored_run(run_dir, stored)
    config = config if config is not None else stored
    new_config = replace_nested(config, **overrides) if overrides else config
    if (new_config.game, new_config.network, new_config.env_kwargs) != (stored.game, stored.network, stored.env_kwargs):
        raise ckpt.CheckpointError("a resumed run keeps its game, env_kwargs and network; start a new run to change them")
    if checkpoint is not None:
        source = rundir.choose_checkpoint(run_dir, None, checkpoint)
        try:
            latest = ckpt.latest_checkpoint(run_dir)
        except ckpt.CheckpointError:  # a damaged pointer: the chosen checkpoint starts a fork
            latest = None
        if fork_to is not None or latest is None or source.resolve() != latest.resolve():
            fork_to = Path(fork_to) if fork_to is not None else run_dir.with_name(f"{run_dir.name}-from-{source.name}")
            rundir.fork_run(run_dir, source, fork_to)
            say(f"resuming {run_dir} from {source.name} in a new run directory {fork_to} "
                f"({run_dir} is left as it was)")
            run_dir = fork_to
    elif fork_to is not None:
        raise ckpt.CheckpointError("fork_to needs checkpoint= (the checkpoint the new run starts from)")
    return run_dir, task, stored, new_config, task_json


def restore(trainer: Any, task_json: dict, stored: RunConfig) -> None:
    """Load the checkpoint a resume starts from into ``trainer`` (closed again on any error) and save the
    run's config when it changed."""
    run = trainer.rundir
    if task_json != trainer.spec.to_json():
        trainer.close()
        raise ckpt.CheckpointError(f"{run.path} was trained on {task_json.get('name')!r} with spec {task_json}, "
                                   f"but the task given has spec {trainer.spec.to_json()}")
    try:
        chosen = run.choose_checkpoint(trainer.spec, say)
        if chosen is not None:
            load(trainer, chosen)
        run.trim_metrics(trainer.history)  # lines past the checkpoint go: the log is appended to
    except BaseException:
        trainer.close()
        raise
    if trainer.config != stored:
        run.write_config(trainer.config, trainer.spec)


def state(trainer: Any) -> dict[str, Any]:
    """A checkpoint's ``state.json`` beside the learner's files (:func:`load` reads it back)."""
    return {"game": trainer.spec.name, "counters": trainer.counters, "selfplay": trainer.selfplay.state_dict(),
            "rng": ckpt.rng_state(trainer.rng), "lr": trainer.optimizer.param_groups[0]["lr"],
            "schedule": trainer.plan}


def load(trainer: Any, checkpoint: Path) -> None:
    """Everything a checkpoint holds: the learner's files, then iteration, counters, self-play's resignation
    state, the schedule's plan, the random generator and the metrics so far."""
    state = trainer.rundir.read_state(checkpoint, trainer.spec)
    trainer.learner.load(checkpoint)
    trainer.iteration = int(state["iteration"])
    trainer.counters.update(state.get("counters", {}))
    trainer.selfplay.load_state_dict(state.get("selfplay", {}))
    trainer.plan, note = schedule.replan(state.get("schedule"), trainer.config.train, trainer.iteration,
                                         float(trainer.counters["seconds"]))
    if note:
        say(note)
    ckpt.restore_rng_state(state["rng"], trainer.rng)
    trainer.history = trainer.rundir.history(trainer.iteration)
