"""Observation layouts of the generic adapter: from the env where it tells, given, or refused when ambiguous."""

from __future__ import annotations

import numpy as np
import pytest
from pettingzoo.classic import connect_four_v3

from az_pz import make_task
from az_pz.adapters import PettingZooTask
from az_pz.testing import check_task
from tests.games import three_player
from tests.games.turn_based import wrap


class ChannelsFirst(three_player.raw_env):
    """The three-player game with its (4, 4, 3) observation transposed to channels first, (3, 4, 4)."""

    def observe(self, agent):
        observation = super().observe(agent)
        return {**observation, "observation": observation["observation"].transpose(2, 0, 1).copy()}


class Ambiguous(three_player.raw_env):
    """The same 48 numbers as (4, 3, 4): no axis can be told for the channels."""

    def observe(self, agent):
        observation = super().observe(agent)
        return {**observation, "observation": observation["observation"].transpose(0, 2, 1).copy()}


def _play(task: PettingZooTask, actions: list[int]) -> object:
    state = task.initial_state(seed=0)
    for action in actions:
        state, _ = task.step(state, action)
    return state


def test_pettingzoo_classic_is_channels_last() -> None:
    task = PettingZooTask(connect_four_v3.env)
    assert (task.observation_layout, task.observation_layout_source) == ("hwc", "PettingZoo convention")
    assert task.spec.phases[0].observation_shape == (2, 6, 7)
    assert "observation_layout='hwc'" in repr(task)


def test_channels_first_env_is_read_as_such() -> None:
    channels_last = PettingZooTask(three_player.env)
    channels_first = PettingZooTask(lambda: wrap(ChannelsFirst()))
    assert channels_last.observation_layout == "hwc" and channels_first.observation_layout == "chw"
    assert channels_first.spec.phases == channels_last.spec.phases
    moves = [5, 0, 10, 3]
    np.testing.assert_array_equal(channels_first.observe(_play(channels_first, moves)),
                                  channels_last.observe(_play(channels_last, moves)))


def test_ambiguous_shape_is_refused_naming_the_option() -> None:
    with pytest.raises(ValueError, match="observation_layout='chw'"):
        PettingZooTask(lambda: wrap(Ambiguous()))
    given = PettingZooTask(lambda: wrap(Ambiguous()), observation_layout="chw")
    assert given.spec.phases[0].observation_shape == (4, 3, 4)
    assert (given.observation_layout, given.observation_layout_source) == ("chw", "given")
    flat = PettingZooTask(lambda: wrap(Ambiguous()), observation_layout="flat")
    assert flat.spec.phases[0].observation_shape == (1, 1, 48)
    assert check_task(flat, num_games=1).observation_layout == "flat (given)"


def test_unknown_layout_is_refused() -> None:
    with pytest.raises(ValueError, match="observation_layout must be one of chw, hwc, flat"):
        PettingZooTask(connect_four_v3.env, observation_layout="nhwc")


def test_make_task_takes_the_layout_and_records_it() -> None:
    task = make_task("connect_four_v3", observation_layout="flat")
    assert isinstance(task, PettingZooTask) and task.spec.phases[0].observation_shape == (1, 1, 84)
    assert dict(task.spec.env_kwargs) == {"observation_layout": "flat"}
    again = make_task(task.spec.name, **dict(task.spec.env_kwargs))  # how checkpoints rebuild the task
    assert again.spec == task.spec
    with pytest.raises(ValueError, match="generic adapter"):
        make_task("connect_four_v3", backend="fast", observation_layout="hwc")
