"""Checks shared by the native-task tests: a fast task against the PettingZoo env it mirrors.

Used by test_tictactoe.py and test_connect_four.py, whose tasks observe the env's board planes as
``observation.transpose(2, 0, 1)`` and end games the PettingZoo way (every agent steps ``None``).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np


def assert_same(task, state, env) -> None:
    """Agent order, observation, mask, terminations and truncations of ``env`` agree with ``state``."""
    assert env.agent_selection == env.possible_agents[task.to_play(state)]
    observation, _, terminated, truncated, _ = env.last()
    expected = observation["observation"].transpose(2, 0, 1).astype(np.float32)
    got = task.observe(state)
    assert got.dtype == np.float32 and got.shape == task.spec.phases[0].observation_shape
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(task.legal_mask(state), observation["action_mask"].astype(bool))
    assert terminated == task.is_terminal(state)
    assert all(t == task.is_terminal(state) for t in env.terminations.values())
    assert not any(env.truncations.values())


def _random_action(task, state, rng: np.random.Generator) -> int:
    return int(rng.choice(np.flatnonzero(task.legal_mask(state))))


def assert_env_round_trip(
    task,
    make_copy: Callable[[], Any],
    board_of: Callable[[Any], list],
    rng: np.random.Generator,
    *,
    games: int,
    max_prefix: int,
) -> None:
    """env -> state -> env in lockstep, ``games`` times from random mid-game positions.

    Each game plays up to ``max_prefix - 1`` random moves in ``task.make_env()`` and the task, then checks that
    ``state_from_env`` reads the state exactly and leaves the env (``board_of(env.unwrapped)``, agent, rewards)
    untouched, that ``state_to_env`` writes it into a fresh ``make_copy()`` env which reads back the same, and that
    the original env, the copy and the task play on identically to the end, the dead ``None`` steps included.
    """
    for _ in range(games):
        original = task.make_env()
        original.reset()
        state = task.initial_state()
        for _ in range(int(rng.integers(0, max_prefix))):
            if task.is_terminal(state):
                break
            action = _random_action(task, state, rng)
            original.step(action)
            state, _ = task.step(state, action)
        before = (board_of(original.unwrapped), original.agent_selection, dict(original.rewards))
        assert task.state_from_env(original) == state
        assert before == (board_of(original.unwrapped), original.agent_selection, dict(original.rewards))
        copy = make_copy()
        task.state_to_env(state, copy)
        assert task.state_from_env(copy) == state
        assert_same(task, state, copy)
        while not task.is_terminal(state):
            action = _random_action(task, state, rng)
            original.step(action)
            copy.step(action)
            state, _ = task.step(state, action)
            assert copy.rewards == original.rewards and copy.terminations == original.terminations
            assert_same(task, state, copy)
        # Both finish the game the PettingZoo way: every agent steps None until none is left.
        while original.agents:
            assert copy.agent_selection == original.agent_selection
            assert copy.last()[1:4] == original.last()[1:4]
            original.step(None)
            copy.step(None)
        assert not copy.agents
