"""The search's clock (``SearchConfig.time_per_move_s``) on real connect four, with rollouts as the evaluator.

Functional tests of stopping: the bounds are generous (a loaded machine), and "more time" is judged by the
simulations counted, never by seconds.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

from az_pz import _gumbel
from az_pz.durations import format_duration, is_duration, parse_duration
from az_pz.evaluators import RolloutEvaluator
from az_pz.games import make_task
from az_pz.search import MCTS, NO_SIMULATION_CAP, SearchConfig


@pytest.fixture(scope="module")
def task():
    return make_task("connect_four_v3")


def _state(task, moves=(3, 3, 4, 2)):
    state = task.initial_state()
    for move in moves:
        state, _ = task.step(state, move)
    return state


def _search(task, config, states, seed=0, add_noise=False):
    mcts = MCTS(task, RolloutEvaluator(rng=np.random.default_rng(seed)), config, num_games=len(states))
    started = time.perf_counter()
    output = mcts.search(states, np.random.default_rng(seed), add_noise=add_noise)
    return output, mcts.last_simulations, time.perf_counter() - started


def _warm(task):
    """Compiled kernels loaded before anything is timed (the first search of a process loads them)."""
    _search(task, SearchConfig(num_simulations=4), [_state(task)])


def test_an_uncapped_search_stops_on_its_clock_with_a_legal_move(task):
    _warm(task)
    state = _state(task)
    config = SearchConfig(num_simulations=NO_SIMULATION_CAP, time_per_move_s=0.05)
    output, simulations, seconds = _search(task, config, [state])
    assert seconds < 2.0  # stops (50 ms asked; a loaded machine gets slack, never the whole cap)
    assert task.legal_mask(state)[output.action[0]]
    assert 1 <= simulations[0] < NO_SIMULATION_CAP
    assert output.visit_counts[0].sum() > 0  # chosen from a searched root


def test_more_time_buys_more_simulations(task):
    _warm(task)
    state = _state(task)
    # The short clock is up before the first batch ends (one batch, 8 leaves); the long one allows more
    # batches even on a machine that gives this process a small share of a core.
    short = _search(task, SearchConfig(num_simulations=NO_SIMULATION_CAP, time_per_move_s=1e-9), [state])[1]
    long = _search(task, SearchConfig(num_simulations=NO_SIMULATION_CAP, time_per_move_s=0.3), [state])[1]
    assert short[0] <= 8 < long[0]


def test_the_simulations_stop_first_when_they_run_out_first(task):
    config = SearchConfig(num_simulations=40, time_per_move_s=30.0)
    output, simulations, seconds = _search(task, config, [_state(task)])
    assert simulations.tolist() == [40] and seconds < 30


@pytest.mark.parametrize("gumbel", [False, True])
def test_a_clock_that_never_runs_out_changes_nothing(task, gumbel):
    """Same seed, same simulations: with or without a (generous) clock, the same trees and moves."""
    states = [_state(task), _state(task, (3, 4))]
    plain = _search(task, SearchConfig(num_simulations=120, gumbel=gumbel), states, add_noise=gumbel)[0]
    timed = _search(task, SearchConfig(num_simulations=120, gumbel=gumbel, time_per_move_s=60.0), states,
                    add_noise=gumbel)[0]
    np.testing.assert_array_equal(plain.visit_counts, timed.visit_counts)
    np.testing.assert_array_equal(plain.action, timed.action)


def test_at_least_one_batch_runs_even_when_the_time_is_already_up(task):
    _warm(task)
    states = [_state(task), _state(task, (0,))]
    config = SearchConfig(num_simulations=NO_SIMULATION_CAP, time_per_move_s=1e-9, leaves_per_tree=4)
    output, simulations, _ = _search(task, config, states)
    assert (simulations >= 1).all() and (simulations <= 4).all()  # one round: at most leaves_per_tree each
    for i, state in enumerate(states):
        assert output.visit_counts[i].sum() >= 1 and task.legal_mask(state)[output.action[i]]


def test_a_batched_search_stops_all_its_roots_together(task):
    _warm(task)
    states = [_state(task), _state(task, (0, 1)), _state(task, (6,))]
    config = SearchConfig(num_simulations=NO_SIMULATION_CAP, time_per_move_s=0.1)
    output, simulations, seconds = _search(task, config, states)
    assert seconds < 3.0 and (simulations >= 1).all() and (simulations < NO_SIMULATION_CAP).all()
    assert all(task.legal_mask(s)[a] for s, a in zip(states, output.action))


def test_a_gumbel_search_cut_short_chooses_a_legal_considered_move(task):
    _warm(task)
    state = _state(task)
    config = SearchConfig(num_simulations=100_000, gumbel=True, time_per_move_s=0.05)
    output, simulations, seconds = _search(task, config, [state], add_noise=True)
    assert seconds < 2.0 and 1 <= simulations[0] < 100_000
    assert task.legal_mask(state)[output.action[0]]
    assert math.isclose(float(output.policy[0].sum()), 1.0, rel_tol=1e-5)


def test_gumbel_round_choice_keeps_every_action_still_in_the_round():
    """Mid-round (target 2 visits): actions at 2 or 3 visits compete; the one dropped earlier (1 visit) does not,
    however good its score; among the rest the best g + logits + sigma wins, visited this round or not."""
    scores = np.array([0.0, 5.0, 1.0, 2.0, -np.inf])
    visits = np.array([3, 1, 2, 3, 0])
    sigma = np.array([0.1, 0.0, 1.5, 0.2, 9.0])
    assert _gumbel.round_choice(scores, visits, sigma, level=2) == 2
    assert _gumbel.round_choice(scores, visits, sigma, level=0) == 1


@pytest.mark.parametrize("fields, words", [
    ({"time_per_move_s": 0.0}, "time_per_move_s > 0"),
    ({"time_per_move_s": float("nan")}, "time_per_move_s > 0"),
    ({"num_simulations": NO_SIMULATION_CAP}, "a clock"),
    ({"num_simulations": NO_SIMULATION_CAP, "time_per_move_s": 0.1, "gumbel": True}, "halving plan"),
])
def test_search_config_refuses_bad_clocks(fields, words):
    with pytest.raises(ValueError, match=words):
        SearchConfig(**fields)


def test_durations_need_a_unit():
    assert parse_duration("50ms") == pytest.approx(0.05) and parse_duration("0.2s") == pytest.approx(0.2)
    assert parse_duration(".5s") == pytest.approx(0.5) and parse_duration("2S") == 2.0
    for bad in ("50", "fastms", "0ms", "-5ms", "1e3ms", "nan s", "", "ms"):
        with pytest.raises(ValueError, match="like 50ms or 0.2s"):
            parse_duration(bad)
    assert is_duration("fastms") and not is_duration("1600")
    assert format_duration(0.05) == "50ms" and format_duration(2.0) == "2s"


def test_a_solver_search_stops_once_its_root_is_proven(task):
    """A win in one: the solver proves the root at once, and the clock's 5 s are not spent."""
    _warm(task)
    state = _state(task, (3, 0, 3, 0, 3, 1))  # the mover wins in column 3
    config = SearchConfig(num_simulations=NO_SIMULATION_CAP, time_per_move_s=5.0, solver=True)
    output, simulations, seconds = _search(task, config, [state])
    assert output.action[0] == 3 and seconds < 4.0 and simulations[0] < NO_SIMULATION_CAP
