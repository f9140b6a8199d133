"""A time-limited run follows a recorded plan, renewed every iteration: one seed and one config give one run,
resumed or not, and the learning rate reaches its floor when the clock ends the run."""

import json

import torch

from az_pz import schedule
from az_pz.config import TrainConfig
from az_pz.train import Trainer
from learning_helpers import tiny_config


def _steady_clock(monkeypatch, seconds_per_iteration: float) -> None:
    """The plan and the end of a run are the only places the clock enters; give every run the same timings."""
    real_plan, real_last = schedule.update_plan, schedule.is_last
    monkeypatch.setattr(schedule, "update_plan", lambda plan, iteration, recent, seconds: real_plan(
        plan, iteration, [seconds_per_iteration] * len(recent), iteration * seconds_per_iteration))
    monkeypatch.setattr(schedule, "is_last", lambda plan, iteration, seconds, pace: real_last(
        plan, iteration, iteration * seconds_per_iteration, seconds_per_iteration))


def test_a_resumed_time_limited_run_equals_an_uninterrupted_one(tmp_path, monkeypatch):
    _steady_clock(monkeypatch, 12.0)  # 60 s / 12 s = 5 planned iterations
    config = tiny_config(train__iterations=50, train__time_limit_s=60.0, selfplay__games_per_iteration=4,
                         train__min_replay_size=8, train__batch_size=16)
    straight = Trainer(config, run_dir=tmp_path / "straight", progress=False, tensorboard=False)
    straight.learn()
    assert straight.iteration == 5 and straight.plan["planned_iterations"] == 5

    first = Trainer(config, run_dir=tmp_path / "split", progress=False, tensorboard=False)
    first.learn(iterations=4)
    state = json.loads((tmp_path / "split" / "checkpoints" / "iter_0004" / "state.json").read_text())
    assert state["schedule"]["planned_iterations"] == 5 and state["schedule"]["fixed_at_iteration"] == 4
    resumed = Trainer.resume(tmp_path / "split", progress=False, tensorboard=False)
    resumed.learn()
    assert resumed.iteration == 5
    for key, value in straight.network.state_dict().items():
        assert torch.equal(value, resumed.network.state_dict()[key]), key
    lrs = [[m.get("train/lr") for m in trainer.history] for trainer in (straight, resumed)]
    assert lrs[0] == lrs[1]


def test_the_schedule_never_reads_the_clock_before_the_plan_is_fixed():
    plan = schedule.new_plan(TrainConfig(iterations=100, time_limit_s=30.0))
    assert plan["planned_iterations"] is None
    assert schedule.progress(plan, 2) == 2 / 100
    assert schedule.update_plan(plan, 2, [1.0, 1.0], 2.0) is None
    assert "about 15 iterations" in schedule.update_plan(plan, 3, [2.0, 2.0, 2.0], 6.0)
    assert plan["planned_iterations"] == 15
    assert schedule.progress(plan, 3) == 3 / 100  # where the clock-free start left it: no jump


def test_progress_follows_a_pace_that_slows_and_ends_at_one_with_the_clock():
    """Iterations growing from 1 s to 2 s (longer games) used to end a run at 0.7 of its planned progress."""
    limit, plan = 60.0, schedule.new_plan(TrainConfig(iterations=1000, time_limit_s=60.0))
    times, seconds, iteration, seen = [], 0.0, 0, []
    while True:
        pace = 1.0 + min(iteration / 30, 1.0)
        times.append(pace)
        seconds += pace
        iteration += 1
        seen.append(schedule.progress(plan, iteration - 1))  # what this iteration's steps trained at
        schedule.update_plan(plan, iteration, times[-schedule.PACE_ITERATIONS:], seconds)
        if schedule.is_last(plan, iteration, seconds, sum(times[-2:]) / 2):
            break
    assert all(b >= a for a, b in zip(seen, seen[1:]))  # never back
    assert max(b - a for a, b in zip(seen, seen[1:])) < 0.1  # never a jump
    assert schedule.progress(plan, iteration) == 1.0 and seen[-1] > 0.9


def test_changing_the_limit_on_resume_replans_from_the_recorded_pace():
    plan = schedule.new_plan(TrainConfig(iterations=100, time_limit_s=30.0))
    schedule.update_plan(plan, 3, [2.0, 2.0], 6.0)
    same, note = schedule.replan(dict(plan), TrainConfig(iterations=100, time_limit_s=30.0), 5, 10.0)
    assert same == plan and note is None
    reached = schedule.progress(plan, 5)
    longer, note = schedule.replan(dict(plan), TrainConfig(iterations=100, time_limit_s=60.0), 5, 10.0)
    assert longer["planned_iterations"] == 30 and "re-planned for 30" in note
    assert schedule.progress(longer, 5) == reached and schedule.progress(longer, 30) == 1.0
    untimed, _ = schedule.replan(dict(plan), TrainConfig(iterations=40), 5, 10.0)
    assert untimed["planned_iterations"] == 40 and untimed["time_limit_s"] is None
    assert schedule.progress(untimed, 5) == reached and schedule.progress(untimed, 40) == 1.0


def test_a_plan_fixed_once_by_an_earlier_version_keeps_its_schedule_on_resume():
    old = {"iterations": 400, "time_limit_s": 3300.0, "planned_iterations": 319, "seconds_per_iteration": 10.3,
           "fixed_at_iteration": 3}
    assert schedule.progress(old, 100) == 100 / 319
    resumed, note = schedule.replan(dict(old), TrainConfig(iterations=400, time_limit_s=3300.0), 100, 1200.0)
    assert resumed == old and note is None


def test_the_clock_ends_a_run_at_the_iteration_nearest_its_limit():
    plan = schedule.new_plan(TrainConfig(iterations=100, time_limit_s=60.0))
    schedule.update_plan(plan, 3, [20.0, 20.0], 60.0)  # the limit reached at the pace of the first ones
    assert plan["planned_iterations"] == 3 and schedule.progress(plan, 5) == 1.0
    assert not schedule.is_last(plan, 3, 30.0, 10.0) and not schedule.is_last(plan, 5, 54.0, 10.0)
    assert schedule.is_last(plan, 6, 56.0, 10.0)
    assert not schedule.is_last(schedule.new_plan(TrainConfig(iterations=100)), 6, 1e9, 10.0)


def test_the_planned_last_iteration_is_evaluated(tmp_path, monkeypatch):
    _steady_clock(monkeypatch, 15.0)  # 60 s / 15 s = 4 planned iterations, out of train.iterations = 50
    config = tiny_config(train__iterations=50, train__time_limit_s=60.0, selfplay__games_per_iteration=4,
                         train__min_replay_size=8, train__batch_size=16, eval__every=100,
                         eval__games_vs_random=2, eval__games_vs_rollout=0)
    trainer = Trainer(config, run_dir=tmp_path / "run", progress=False, tensorboard=False)
    history = trainer.learn()
    assert [m["iteration"] for m in history] == [1, 2, 3, 4]
    assert "eval/win_rate_random" in history[-1] and "eval/win_rate_random" not in history[-2]
