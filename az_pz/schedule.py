"""The planned length of a run, which the learning-rate schedule spans; recorded so one run is one run.

A run's learning rate decays with its *progress* in [0, 1] (``train.lr_schedule``). Without a time limit
progress is ``iteration / train.iterations``. With ``train.time_limit_s`` the length of the run is known
only in seconds, so progress follows an estimate of the iterations the clock will allow:

- for the first :data:`PLAN_AFTER` iterations progress follows ``iteration / train.iterations`` (no clock),
  and the time limit alone can stop the run;
- from the end of iteration :data:`PLAN_AFTER` on, the estimate is renewed after every iteration: the
  iterations done plus the time left over the recent pace (the mean of the last iterations), clamped to
  ``[iterations done, train.iterations]``. Progress keeps the value it reached and spreads what remains
  of it evenly over the estimated iterations left, so it never jumps or goes back, and it reaches 1 at the
  last iteration the clock allows.

A fixed estimate misjudges runs whose iterations lengthen as play improves (docs/training.md).

The clock, not the plan, ends a time-limited run (:func:`is_last`): it stops after the iteration that ends
nearest its limit. The plan lives in ``state.json`` (``"schedule"``); a resumed run continues it from the
progress it reached. Changing ``train.iterations`` or ``train.time_limit_s`` on resume re-plans the rest of
the run from there (and says so); progress is never moved back.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from az_pz.config.schema import TrainConfig

__all__ = ["PLAN_AFTER", "PACE_ITERATIONS", "is_last", "lr_factor", "new_plan", "progress", "replan",
           "update_plan"]

PLAN_AFTER = 3
"""Iterations timed before a time limit becomes an iteration count."""

PACE_ITERATIONS = 4
"""Iterations whose mean wall time is the pace of the estimate (one alone is noisy: evaluations, saves)."""


def new_plan(train: TrainConfig) -> dict[str, Any]:
    """The plan of a fresh run: fixed at ``train.iterations`` unless a time limit is to be converted.

    Keys: ``planned_iterations`` (the run's estimated length; None until the clock sets it),
    ``fixed_at_iteration`` and ``progress`` (the iteration of the last renewal and the progress reached there,
    from which the rest is spread), ``seconds_per_iteration`` (the pace of that renewal, for re-planning on
    resume), and the ``iterations`` and ``time_limit_s`` it was made for."""
    fixed = train.time_limit_s is None
    return {"iterations": train.iterations, "time_limit_s": train.time_limit_s,
            "planned_iterations": train.iterations if fixed else None,
            "seconds_per_iteration": None, "fixed_at_iteration": 0 if fixed else None,
            "progress": 0.0}


def progress(plan: dict[str, Any], iteration: int) -> float:
    """Schedule progress in [0, 1] at ``iteration`` (iterations completed): no clock involved."""
    if plan["planned_iterations"] is None:
        return min(1.0, iteration / max(plan["iterations"], 1))
    if iteration >= plan["planned_iterations"]:
        return 1.0
    if "progress" not in plan:  # a plan of an earlier version, fixed once: it spans the whole run
        return iteration / max(plan["planned_iterations"], 1)
    start, reached = plan["fixed_at_iteration"] or 0, plan["progress"]
    left = max(plan["planned_iterations"] - start, 1)
    return min(1.0, reached + (1.0 - reached) * max(iteration - start, 0) / left)


def is_last(plan: dict[str, Any], iteration: int, seconds: float, pace: float) -> bool:
    """Whether a time-limited run ends with ``iteration``, ``seconds`` into its limit at iterations of ``pace``
    seconds: another iteration would end further from the limit than this one."""
    limit = plan["time_limit_s"]
    return limit is not None and seconds + 0.5 * pace >= limit


def update_plan(plan: dict[str, Any], iteration: int, recent_seconds: list[float], seconds: float) -> str | None:
    """Renew a time-limited plan at the end of ``iteration``, ``seconds`` into the run; returns a line the first
    time, when the clock starts to set the schedule."""
    if plan["time_limit_s"] is None or iteration < PLAN_AFTER or not recent_seconds:
        return None
    first = plan["planned_iterations"] is None
    pace = sum(recent_seconds[-PACE_ITERATIONS:]) / len(recent_seconds[-PACE_ITERATIONS:])
    _renew(plan, iteration, pace, seconds, progress(plan, iteration))
    if not first:
        return None
    return (f"time limit {plan['time_limit_s']:.0f}s at {pace:.1f}s per iteration: about "
            f"{plan['planned_iterations']} iterations; the learning-rate schedule follows the estimate, "
            "renewed every iteration (recorded in state.json)")


def replan(plan: dict[str, Any] | None, train: TrainConfig, iteration: int,
           seconds_so_far: float) -> tuple[dict[str, Any], str | None]:
    """The plan a resumed run follows: the recorded one, or, when ``train.iterations`` or
    ``train.time_limit_s`` changed, a new one that goes on from the progress reached. Checkpoints written
    before plans were recorded get one from their counters."""
    if plan is None:
        plan = new_plan(train)
        if train.time_limit_s is not None and iteration >= PLAN_AFTER:
            update_plan(plan, iteration, [seconds_so_far / iteration], seconds_so_far)
        return plan, None
    if plan["iterations"] == train.iterations and plan["time_limit_s"] == train.time_limit_s:
        return plan, None
    reached = progress(plan, iteration)
    pace = plan.get("seconds_per_iteration") or (seconds_so_far / iteration if iteration else None)
    new = new_plan(train)
    if train.time_limit_s is None:
        new.update(progress=reached, fixed_at_iteration=iteration,
                   planned_iterations=max(train.iterations, iteration + 1))
    elif pace and iteration >= PLAN_AFTER:
        _renew(new, iteration, pace, seconds_so_far, reached)
    total = new["planned_iterations"]
    return new, (f"train.iterations / train.time_limit_s changed on resume: the rest of the schedule is "
                 f"re-planned for {total if total is not None else 'a time limit to be measured, up to ' + str(train.iterations)} "
                 f"iterations, from the progress reached ({reached:.2f})")


def _renew(plan: dict[str, Any], iteration: int, pace: float, seconds: float, reached: float) -> None:
    """Estimate the run's length from ``pace`` and the time left; progress goes on from ``reached``."""
    left = math.floor((plan["time_limit_s"] - seconds) / max(pace, 1e-9) + 0.5)  # is_last's rounding
    plan.update(progress=reached, fixed_at_iteration=iteration, seconds_per_iteration=pace,
                planned_iterations=int(min(plan["iterations"], iteration + max(left, 0))))


def lr_factor(schedule: str, progress: float, step: int, warmup_steps: int, min_fraction: float) -> float:
    """Learning-rate multiplier at training ``progress`` in [0, 1] and gradient ``step`` (for warm-up)."""
    warm = min(1.0, (step + 1) / warmup_steps) if warmup_steps else 1.0
    progress = min(1.0, max(0.0, progress))
    if schedule == "cosine":
        return warm * (min_fraction + (1 - min_fraction) * 0.5 * (1 + math.cos(math.pi * progress)))
    if schedule == "step":
        return warm * (1.0 if progress < 0.5 else (0.1 if progress < 0.75 else 0.01))
    return warm
