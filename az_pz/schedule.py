"""The planned length of a run, which the learning-rate schedule spans; recorded so one run is one run.

A run's learning rate decays over its planned iterations (``train.lr_schedule``). Without a time limit the
plan is ``train.iterations``. With ``train.time_limit_s`` the plan used to be re-read from the clock at every
step (``max(iteration / iterations, seconds / time_limit)``), so two runs of one command, or a run and its
resumed copy, followed different schedules. Now the time limit is turned into an iteration count once:

- for the first :data:`PLAN_AFTER` iterations the schedule follows ``iteration / train.iterations`` (no
  clock), and the time limit alone can stop the run;
- at the end of iteration :data:`PLAN_AFTER` the plan is fixed: ``time_limit_s / seconds per iteration`` (the
  mean of the last two iterations, which train), clamped to ``[iterations done, train.iterations]``;
- from then on the schedule spans the plan: the learning rate reaches its floor at the planned iteration and
  stays there if the clock allows more.

The clock, not the plan, ends a time-limited run (:func:`is_last`): it stops after the iteration that ends
nearest its limit, so a run whose first iterations were slow (a busy machine, the first evaluations) still
uses all its time.

The plan lives in ``state.json`` (``"schedule"``); a resumed run continues it. Changing ``train.iterations``
or ``train.time_limit_s`` on resume re-plans from the recorded seconds per iteration, and says so.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from az_pz.config.schema import TrainConfig

__all__ = ["PLAN_AFTER", "is_last", "lr_factor", "new_plan", "progress", "replan", "update_plan"]

PLAN_AFTER = 3
"""Iterations timed before a time limit becomes an iteration count."""


def new_plan(train: TrainConfig) -> dict[str, Any]:
    """The plan of a fresh run: fixed at ``train.iterations`` unless a time limit is to be converted."""
    fixed = train.time_limit_s is None
    return {"iterations": train.iterations, "time_limit_s": train.time_limit_s,
            "planned_iterations": train.iterations if fixed else None,
            "seconds_per_iteration": None, "fixed_at_iteration": 0 if fixed else None}


def progress(plan: dict[str, Any], iteration: int) -> float:
    """Schedule progress in [0, 1] at ``iteration`` (iterations completed): no clock involved."""
    total = plan["planned_iterations"] if plan["planned_iterations"] is not None else plan["iterations"]
    return min(1.0, iteration / max(total, 1))


def is_last(plan: dict[str, Any], iteration: int, seconds: float, pace: float) -> bool:
    """Whether a time-limited run ends with ``iteration``, ``seconds`` into its limit at iterations of ``pace``
    seconds: another iteration would end further from the limit than this one."""
    limit = plan["time_limit_s"]
    return limit is not None and seconds + 0.5 * pace >= limit


def update_plan(plan: dict[str, Any], iteration: int, recent_seconds: list[float]) -> str | None:
    """Fix a time-limited plan at the end of iteration :data:`PLAN_AFTER`; returns a line saying so, or None."""
    if plan["planned_iterations"] is not None or plan["time_limit_s"] is None or iteration < PLAN_AFTER:
        return None
    seconds = sum(recent_seconds[-2:]) / max(len(recent_seconds[-2:]), 1)
    plan["seconds_per_iteration"] = seconds
    plan["planned_iterations"] = _clamp(plan, iteration)
    plan["fixed_at_iteration"] = iteration
    return (f"time limit {plan['time_limit_s']:.0f}s at {seconds:.1f}s per iteration: the run is planned for "
            f"{plan['planned_iterations']} iterations (learning-rate schedule and end; recorded in state.json)")


def replan(plan: dict[str, Any] | None, train: TrainConfig, iteration: int,
           seconds_so_far: float) -> tuple[dict[str, Any], str | None]:
    """The plan a resumed run follows: the recorded one, or a new one when ``train.iterations`` or
    ``train.time_limit_s`` changed (from the recorded seconds per iteration). Checkpoints written before
    plans were recorded get one from their counters."""
    if plan is None:
        plan = new_plan(train)
        if train.time_limit_s is not None and iteration >= PLAN_AFTER:
            update_plan(plan, iteration, [seconds_so_far / iteration])
        return plan, None
    if plan["iterations"] == train.iterations and plan["time_limit_s"] == train.time_limit_s:
        return plan, None
    seconds = plan.get("seconds_per_iteration")
    new = new_plan(train)
    if train.time_limit_s is not None and seconds:
        new["seconds_per_iteration"] = seconds
        new["planned_iterations"] = _clamp(new, iteration)
        new["fixed_at_iteration"] = iteration
    elif train.time_limit_s is not None and iteration >= PLAN_AFTER:
        update_plan(new, iteration, [seconds_so_far / iteration])
    total = new["planned_iterations"]
    return new, (f"train.iterations / train.time_limit_s changed on resume: the schedule is re-planned for "
                 f"{total if total is not None else 'a time limit to be measured, up to ' + str(train.iterations)} "
                 "iterations (the learning rate moves accordingly)")


def _clamp(plan: dict[str, Any], iteration: int) -> int:
    estimate = math.floor(plan["time_limit_s"] / max(plan["seconds_per_iteration"], 1e-9))
    return int(min(plan["iterations"], max(iteration, estimate)))


def lr_factor(schedule: str, progress: float, step: int, warmup_steps: int, min_fraction: float) -> float:
    """Learning-rate multiplier at training ``progress`` in [0, 1] and gradient ``step`` (for warm-up)."""
    warm = min(1.0, (step + 1) / warmup_steps) if warmup_steps else 1.0
    progress = min(1.0, max(0.0, progress))
    if schedule == "cosine":
        return warm * (min_fraction + (1 - min_fraction) * 0.5 * (1 + math.cos(math.pi * progress)))
    if schedule == "step":
        return warm * (1.0 if progress < 0.5 else (0.1 if progress < 0.75 else 0.01))
    return warm
