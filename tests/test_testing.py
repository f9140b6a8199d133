"""check_task: passes a correct task, and names the rule each broken task breaks."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from az_pz.task import PhaseSpec, TaskSpec
from az_pz.testing import check_task


@dataclasses.dataclass(frozen=True)
class NimState:
    stones: int
    mover: int


class Nim:
    """Take 1 or 2 stones; whoever takes the last stone wins (+1, the other -1)."""

    spec = TaskSpec("nim", 2, (PhaseSpec((1, 1, 8), 2),))

    def initial_state(self, seed=None):
        return NimState(7, 0)

    def to_play(self, state):
        return state.mover

    def phase(self, state):
        return 0

    def legal_mask(self, state):
        return np.array([state.stones >= 1, state.stones >= 2])

    def observe(self, state):
        obs = np.zeros((1, 1, 8), dtype=np.float32)
        obs[0, 0, state.stones] = 1
        return obs

    def step(self, state, action):
        new = NimState(state.stones - (action + 1), 1 - state.mover)
        rewards = np.zeros(2, dtype=np.float32)
        if new.stones == 0:
            rewards[state.mover], rewards[new.mover] = 1, -1
        return new, rewards

    def is_terminal(self, state):
        return state.stones == 0


def test_correct_task_passes_and_reports() -> None:
    result = check_task(Nim(), num_games=5, seed=0)
    assert result.games == 5 and result.plies >= 5 * 4 and result.phases_seen == (0,)
    assert result.returns.shape == (5, 2) and set(result.returns.sum(axis=1)) == {0.0}


class ListState(Nim):
    """Keeps its state in a list and (wrongly) steps it in place."""

    def initial_state(self, seed=None):
        return [7, 0]

    def to_play(self, state):
        return state[1]

    def legal_mask(self, state):
        return np.array([state[0] >= 1, state[0] >= 2])

    def observe(self, state):
        return super().observe(NimState(*state))

    def is_terminal(self, state):
        return state[0] == 0

    def step(self, state, action):
        state[0] -= action + 1
        state[1] = 1 - state[1]
        return list(state), np.zeros(2, dtype=np.float32)


class Float64Observation(Nim):
    def observe(self, state):
        return super().observe(state).astype(np.float64)


class HWCObservation(Nim):
    def observe(self, state):
        return super().observe(state).transpose(1, 2, 0)


class IntMask(Nim):
    def legal_mask(self, state):
        return super().legal_mask(state).astype(np.int8)


class NoLegalAction(Nim):
    def legal_mask(self, state):
        return np.zeros(2, dtype=bool) if state.stones == 3 else super().legal_mask(state)


class ScalarReward(Nim):
    def step(self, state, action):
        new, rewards = super().step(state, action)
        return new, float(rewards[state.mover])


class Float64Rewards(Nim):
    def step(self, state, action):
        new, rewards = super().step(state, action)
        return new, rewards.astype(np.float64)


class RandomStep(Nim):
    rng = np.random.default_rng(0)

    def step(self, state, action):
        new, rewards = super().step(state, action)
        return new, rewards + np.float32(self.rng.random())


class BadSeat(Nim):
    def to_play(self, state):
        return 2


class BadPhase(Nim):
    def phase(self, state):
        return 1


class Endless(Nim):
    def is_terminal(self, state):
        return False

    def legal_mask(self, state):
        return np.array([True, False])

    def step(self, state, action):
        return NimState(state.stones, 1 - state.mover), np.zeros(2, dtype=np.float32)


class UnseededStart(Nim):
    count = 0

    def initial_state(self, seed=None):
        UnseededStart.count += 1
        return NimState(7 - UnseededStart.count % 2, 0)


class NotASpec(Nim):
    spec = {"name": "nim"}


@pytest.mark.parametrize(
    "task, message",
    [
        (ListState(), "step changed the state it was given"),
        (Float64Observation(), r"observe must be float32 \(1, 1, 8\)"),
        (HWCObservation(), r"\(CHW\)"),
        (IntMask(), "legal_mask must be bool"),
        (NoLegalAction(), "no legal action"),
        (ScalarReward(), r"rewards float32 \[2\]"),
        (Float64Rewards(), "rewards float32"),
        (RandomStep(), "not deterministic"),
        (BadSeat(), "to_play must be a seat"),
        (BadPhase(), "phase must be in"),
        (Endless(), "did not end within 50 plies"),
        (UnseededStart(), "not reproducible"),
        (NotASpec(), "TaskSpec"),
    ],
)
def test_broken_tasks_are_caught(task, message: str) -> None:
    with pytest.raises(AssertionError, match=message):
        check_task(task, num_games=3, seed=0, max_plies=50)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="num_games"):
        check_task(Nim(), num_games=0)


def test_same_seed_same_result() -> None:
    a = check_task(Nim(), num_games=4, seed=7)
    b = check_task(Nim(), num_games=4, seed=7)
    assert a.plies == b.plies and np.array_equal(a.returns, b.returns)
