"""The evaluators shipped with the search: shapes, seat order, seeding."""

from __future__ import annotations

import numpy as np
import pytest
from search_fixtures import Bandit, Endless, ThreeKings, TicTacToe

from az_pz.evaluators import Evaluation, Evaluator, RolloutEvaluator, UniformEvaluator


def test_uniform_evaluator_shapes_and_zeros():
    task = ThreeKings()
    evaluation = UniformEvaluator().evaluate(task, [(), (0,), (1,)])
    assert evaluation.prior_logits.shape == (3, 2) and evaluation.prior_logits.dtype == np.float32
    assert evaluation.values.shape == (3, 3) and evaluation.values.dtype == np.float32
    assert not evaluation.prior_logits.any() and not evaluation.values.any()
    assert isinstance(UniformEvaluator(), Evaluator) and isinstance(RolloutEvaluator(), Evaluator)


def test_rollout_values_are_mean_returns_in_seat_order():
    task = ThreeKings()
    evaluation = RolloutEvaluator(2000, np.random.default_rng(0)).evaluate(task, [(0,), (1,)])
    # From (0,) seat 1 picks uniformly between (-1, 1, 0) and (1, 0, 0): mean (0, 0.5, 0).
    np.testing.assert_allclose(evaluation.values[0], [0.0, 0.5, 0.0], atol=0.05)
    np.testing.assert_allclose(evaluation.values[1], [-0.25, 0.0, 0.75], atol=0.05)
    assert not evaluation.prior_logits.any()


def test_rollout_sees_one_move_outcomes_exactly():
    bandit = Bandit(payoffs=(1.0, 1.0))
    evaluation = RolloutEvaluator(3, np.random.default_rng(0)).evaluate(bandit, [(False,)])
    np.testing.assert_array_equal(evaluation.values, [[1.0]])


def test_rollout_one_seed_gives_one_result():
    task = TicTacToe()
    states = [task.initial_state()] * 5
    first = RolloutEvaluator(2, np.random.default_rng(4)).evaluate(task, states).values
    second = RolloutEvaluator(2, np.random.default_rng(4)).evaluate(task, states).values
    np.testing.assert_array_equal(first, second)
    assert set(np.unique(first[:, 0])) <= {-1.0, -0.0, 0.0, 0.5, -0.5, 1.0}
    np.testing.assert_array_equal(first[:, 0], -first[:, 1])  # zero-sum, seat order kept


def test_rollout_max_steps_stops_endless_games():
    evaluation = RolloutEvaluator(1, np.random.default_rng(0), max_steps=50).evaluate(Endless(), [0])
    np.testing.assert_array_equal(evaluation.values, [[0.0, 0.0]])


def test_evaluation_checks_shapes():
    with pytest.raises(ValueError, match="batch size"):
        Evaluation(np.zeros((2, 3), np.float32), np.zeros((3, 2), np.float32))
    with pytest.raises(ValueError, match="shapes"):
        Evaluation(np.zeros(3, np.float32), np.zeros((3, 2), np.float32))
    with pytest.raises(ValueError, match="num_rollouts"):
        RolloutEvaluator(0)
