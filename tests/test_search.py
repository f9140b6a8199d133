"""Behaviour of the batched search on tiny games whose right answers are known."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from search_fixtures import (
    Bandit,
    ConstantEvaluator,
    Endless,
    GreedyTrap,
    ThreeKings,
    TicTacToe,
    TwoPhase,
)

from az_pz.evaluators import Evaluation, RolloutEvaluator, UniformEvaluator
from az_pz.search import MCTS, SearchConfig, SearchOutput, run_search

TTT = TicTacToe()


def search_one(task, state, config, *, evaluator=None, seed=0, add_noise=False) -> SearchOutput:
    return run_search(task, evaluator or UniformEvaluator(), [state], config, np.random.default_rng(seed),
                      add_noise=add_noise)


@pytest.mark.parametrize("gumbel", [False, True])
def test_finds_win_in_one(gumbel):
    state = TTT.from_board("XX. OO. ...", 0)  # X wins at 2 (O threatens 5)
    sims = 32 if gumbel else 200
    out = search_one(TTT, state, SearchConfig(num_simulations=sims, gumbel=gumbel))
    assert out.action[0] == 2


@pytest.mark.parametrize("evaluator", [UniformEvaluator(), RolloutEvaluator(4, np.random.default_rng(1))])
def test_blocks_loss_in_one(evaluator):
    state = TTT.from_board("XX. .O. ...", 1)  # O must block at 2 (then the game is a draw)
    out = search_one(TTT, state, SearchConfig(num_simulations=400), evaluator=evaluator)
    assert out.action[0] == 2
    assert out.root_values[0, 1] > -0.5  # the loss is averted: O's value is not near -1


def test_three_players_back_up_per_seat_values():
    task = ThreeKings()
    config = SearchConfig(num_simulations=300)
    assert search_one(task, (0,), config).action[0] == 0  # seat 1 takes +1 for itself
    assert search_one(task, (1,), config).action[0] == 0  # seat 2 takes +1 for itself
    out = search_one(task, (), config)
    assert out.action[0] == 1  # so seat 0 goes right: 0.5 instead of -1
    # Seat 2 gains on the right, loses nothing on the left: its mean value is between 0 and 1.
    assert out.root_values[0, 2] > out.root_values[0, 1]


def test_rewards_along_the_path_count():
    out = search_one(GreedyTrap(), (), SearchConfig(num_simulations=200))
    assert out.action[0] == 1
    assert out.visit_counts[0, 1] > out.visit_counts[0, 0]


def test_exact_backup_with_intermediate_rewards():
    """Two simulations of the greedy trap, each value checked by hand."""
    config = SearchConfig(num_simulations=3, leaves_per_tree=1, fpu_reduction=0.0)
    search = MCTS(GreedyTrap(), ConstantEvaluator([0.0]), config)
    out = search.search([()], np.random.default_rng(0))
    # Root evaluation: value 0, one visit. Sim 1 opens action 0 (a tie: the first wins): +1, Q(0) = 1.
    # Sim 2 opens action 1: FPU (1 / 2 - 0) maps to 0.75 and its U (1 + 0 visits) beats Q(0)'s 1 + U / 2;
    # it pays 0. Sim 3 takes action 0 again (Q 1 vs 0) to its only, terminal child: +1 - 2 = -1.
    assert out.visit_counts[0].tolist() == [2, 1]
    np.testing.assert_allclose(out.root_values[0], [(0.0 + 1.0 + 0.0 - 1.0) / 4])
    # Sim 3's return reached the root through both edge rewards: Q(0) = (1 + (-1)) / 2.
    a = search.tree
    child = a.edge_child[0, a.first_edge[0, 0]]
    assert a.reward[0, child, 0] + a.value_sum[0, child, 0] / a.visits[0, child] == 0.0


@pytest.mark.parametrize("leaves", [1, 3, 8])
@pytest.mark.parametrize("gumbel", [False, True])
def test_visit_counts_sum_to_simulations(leaves, gumbel):
    config = SearchConfig(num_simulations=50, leaves_per_tree=leaves, gumbel=gumbel)
    states = [TTT.initial_state(), TTT.from_board("XX. OO. ...", 0), TTT.from_board("XOX OXO ...", 0)]
    search = MCTS(TTT, UniformEvaluator(), config, num_games=4)
    out = search.search(states, np.random.default_rng(0), add_noise=True)
    assert out.visit_counts.sum(axis=1).tolist() == [50, 50, 50]
    # With reuse, a further search adds its budget to the subtree's visits.
    action = int(out.action[0])
    kept = out.visit_counts[0, action] - 1  # the child's own evaluation is its first visit
    search.advance(0, action)
    child, _ = TTT.step(states[0], action)
    out2 = search.search([child], np.random.default_rng(1), num_simulations=20)
    assert out2.visit_counts[0].sum() == kept + 20


def test_leaves_of_all_games_share_one_evaluator_call():
    evaluator = ConstantEvaluator([0.0, 0.0])
    config = SearchConfig(num_simulations=16, leaves_per_tree=4)
    MCTS(Endless(), evaluator, config, num_games=8).search([0] * 8, np.random.default_rng(0))
    assert evaluator.states == 8 + 8 * 16
    assert evaluator.calls <= 1 + 2 * (16 // 4)  # collisions may shorten a round, not multiply calls
    one_at_a_time = ConstantEvaluator([0.0, 0.0])
    single = dataclasses.replace(config, leaves_per_tree=1)
    MCTS(Endless(), one_at_a_time, single).search([0], np.random.default_rng(0))
    assert one_at_a_time.calls == 1 + 16


def test_dirichlet_noise_only_with_add_noise():
    task = Bandit(payoffs=(0.0,) * 8)
    config = SearchConfig(num_simulations=40)
    quiet = [search_one(task, (False,), config, seed=seed).visit_counts for seed in (0, 1)]
    np.testing.assert_array_equal(quiet[0], quiet[1])
    noisy = [search_one(task, (False,), config, seed=seed, add_noise=True).visit_counts for seed in (0, 1, 1)]
    assert not np.array_equal(noisy[0], noisy[1])
    np.testing.assert_array_equal(noisy[1], noisy[2])
    assert not np.array_equal(noisy[0], quiet[0])


@pytest.mark.parametrize("gumbel", [False, True])
def test_one_seed_gives_one_result(gumbel):
    config = SearchConfig(num_simulations=60, leaves_per_tree=4, gumbel=gumbel)
    runs = []
    for _ in range(2):
        rng = np.random.default_rng(7)
        search = MCTS(TTT, RolloutEvaluator(1, np.random.default_rng(3)), config, num_games=2)
        out = search.search([TTT.initial_state()] * 2, rng, add_noise=True)
        runs.append(dataclasses.astuple(out))
    for first, second in zip(*runs):
        np.testing.assert_array_equal(first, second)


def test_tree_reuse_keeps_the_subtree():
    search = MCTS(TTT, UniformEvaluator(), SearchConfig(num_simulations=200))
    root = TTT.initial_state()
    out = search.search([root], np.random.default_rng(0))
    action = int(out.action[0])
    a = search.tree
    child = a.edge_child[0, a.first_edge[0, 0] + action]
    first, num = a.first_edge[0, child], a.num_edges[0, child]
    grandchildren = a.edge_child[0, first:first + num]
    expected_visits = np.zeros(9, np.int32)
    expected_visits[a.edge_action[0, first:first + num]] = np.where(
        grandchildren >= 0, a.visits[0, np.maximum(grandchildren, 0)], 0)
    expected_value = a.value_sum[0, child] / a.visits[0, child]
    search.advance(0, action)
    state, _ = TTT.step(root, action)
    kept = search.search([state], np.random.default_rng(0), num_simulations=0)
    np.testing.assert_array_equal(kept.visit_counts[0], expected_visits)
    np.testing.assert_allclose(kept.root_values[0], expected_value, rtol=1e-6)
    # A state that is not the kept root starts a fresh tree.
    other = search.search([TTT.from_board("XX. OO. ...", 0)], np.random.default_rng(0), num_simulations=10)
    assert other.visit_counts.sum() == 10


def test_gumbel_returns_a_legal_action_and_a_proper_policy():
    state = TTT.from_board("XOX .O. ...", 0)
    config = SearchConfig(num_simulations=8, gumbel=True, gumbel_max_considered=4)
    out = search_one(TTT, state, config, add_noise=True, seed=3)
    legal = TTT.legal_mask(state)
    assert legal[out.action[0]]
    assert out.policy.dtype == np.float32
    np.testing.assert_allclose(out.policy.sum(), 1.0, rtol=1e-5)
    assert np.all(out.policy[0, ~legal] == 0) and np.all(out.policy[0, legal] > 0)
    assert out.visit_counts.sum() == 8 and np.count_nonzero(out.visit_counts) <= 4


def test_depth_guard_scores_with_the_evaluator():
    evaluator = ConstantEvaluator([0.7, -0.7])
    search = MCTS(Endless(), evaluator, SearchConfig(num_simulations=60, max_depth=3))
    out = search.search([0], np.random.default_rng(0))
    np.testing.assert_allclose(out.root_values[0], [0.7, -0.7], rtol=1e-6)  # a silent 0 would pull it down
    assert out.visit_counts.sum() == 60
    assert search.tree.depth[0, :search.tree_size(0)].max() == 3
    assert evaluator.states < 1 + 60  # guarded visits reuse the stored evaluation


def test_phases_pad_masks_to_max_actions():
    out = search_one(TwoPhase(), (), SearchConfig(num_simulations=100))
    assert out.action[0] == 1 and out.visit_counts.shape == (1, 4)
    assert out.visit_counts[0, 2:].sum() == 0  # phase 0 has two actions
    col = search_one(TwoPhase(), (1,), SearchConfig(num_simulations=30))
    assert col.action[0] == 2 and col.visit_counts[0, 3] == 0  # the illegal column is never tried


def test_min_max_normalisation_option():
    out = search_one(GreedyTrap(), (), SearchConfig(num_simulations=200, value_bounds=None))
    assert out.action[0] == 1


def test_arrays_grow_past_their_first_capacity():
    search = MCTS(TTT, UniformEvaluator(), SearchConfig(num_simulations=4, leaves_per_tree=2), num_games=2)
    out = search.search([TTT.initial_state()] * 2, np.random.default_rng(0), num_simulations=3000)
    assert out.visit_counts.sum(axis=1).tolist() == [3000, 3000]
    assert search.tree_size(0) > 64


def test_refuses_terminal_states_and_bad_evaluations():
    done, _ = TTT.step(TTT.from_board("XX. OO. ...", 0), 2)
    with pytest.raises(ValueError, match="terminal"):
        search_one(TTT, done, SearchConfig(num_simulations=4))

    class Wrong:
        def evaluate(self, task, states):
            return Evaluation(np.zeros((len(states), 3), np.float32), np.zeros((len(states), 2), np.float32))

    with pytest.raises(ValueError, match="prior_logits"):
        search_one(TTT, TTT.initial_state(), SearchConfig(num_simulations=4), evaluator=Wrong())
    with pytest.raises(ValueError, match="leaves_per_tree"):
        SearchConfig(leaves_per_tree=0)


def _run_both(task, start, config, moves, evaluator_factory):
    """Search, advance, search again, with the compiled and the reference kernels; return everything."""
    results = []
    for use_numba in (True, False):
        states = list(start)
        search = MCTS(task, evaluator_factory(), config, num_games=len(states), use_numba=use_numba)
        rng = np.random.default_rng(5)
        outs = [search.search(states, rng, add_noise=True)]
        for game, action in enumerate(outs[0].action[:moves].tolist()):
            search.advance(game, action)
            states[game], _ = task.step(states[game], action)
        outs.append(search.search(states, rng, add_noise=True, num_simulations=17))
        arrays = {name: array.copy() for name, array in search.tree._asdict().items()}
        results.append((outs, arrays))
    return results


@pytest.mark.parametrize("config", [
    SearchConfig(num_simulations=40, leaves_per_tree=4),
    SearchConfig(num_simulations=40, leaves_per_tree=3, gumbel=True, gumbel_max_considered=4),
    SearchConfig(num_simulations=30, leaves_per_tree=2, value_bounds=None, max_depth=3),
], ids=["puct", "gumbel", "minmax-depth"])
def test_numba_and_reference_paths_agree(config):
    states = [TTT.initial_state(), TTT.from_board("XO. .X. ..O", 0)]
    (fast_outs, fast), (ref_outs, ref) = _run_both(
        TTT, states, config, moves=2, evaluator_factory=lambda: RolloutEvaluator(1, np.random.default_rng(2)))
    for fast_out, ref_out in zip(fast_outs, ref_outs):
        for first, second in zip(dataclasses.astuple(fast_out), dataclasses.astuple(ref_out)):
            np.testing.assert_array_equal(first, second)
    for name in fast:
        np.testing.assert_array_equal(fast[name], ref[name], err_msg=name)


def test_masked_logits_from_a_network_are_handled():
    """Evaluators may put -inf on illegal actions (or on every action): priors stay a distribution."""

    class MaskingEvaluator:
        def __init__(self, fill):
            self.fill = fill

        def evaluate(self, task, states):
            logits = np.full((len(states), task.spec.max_actions), self.fill, np.float32)
            for i, state in enumerate(states):
                logits[i, task.legal_mask(state)] = 0.0 if self.fill == -np.inf else self.fill
            return Evaluation(logits, np.zeros((len(states), task.spec.num_players), np.float32))

    for fill in (-np.inf, -1e30):
        out = search_one(TTT, TTT.from_board("XX. OO. ...", 0), SearchConfig(num_simulations=100),
                         evaluator=MaskingEvaluator(fill))
        assert out.action[0] == 2

    class AllMinusInf:
        def evaluate(self, task, states):
            return Evaluation(np.full((len(states), 9), -np.inf, np.float32), np.zeros((len(states), 2), np.float32))

    out = search_one(TTT, TTT.initial_state(), SearchConfig(num_simulations=30), evaluator=AllMinusInf())
    assert out.visit_counts.sum() == 30 and np.isfinite(out.root_values).all()


@pytest.mark.parametrize("gumbel", [False, True])
@pytest.mark.parametrize("broken", ["nan_logits", "posinf_logits", "nan_values", "inf_values"])
def test_non_finite_evaluations_are_refused(broken, gumbel):
    """A diverged network (NaN weights) must stop the search with a clear error, not quietly play edge 0."""

    class Diverged:
        def evaluate(self, task, states):
            logits = np.zeros((len(states), task.spec.max_actions), np.float32)
            values = np.zeros((len(states), task.spec.num_players), np.float32)
            target, fill = {"nan_logits": (logits, np.nan), "posinf_logits": (logits, np.inf),
                            "nan_values": (values, np.nan), "inf_values": (values, -np.inf)}[broken]
            target[0, 0] = fill
            return Evaluation(logits, values)

    what = "prior_logits" if broken.endswith("logits") else "values"
    with pytest.raises(ValueError, match=rf"evaluator Diverged returned .*{what} for 1 of 1 states.*learning_rate"):
        search_one(TTT, TTT.initial_state(), SearchConfig(num_simulations=16, gumbel=gumbel), evaluator=Diverged())


def test_a_state_that_is_not_the_kept_root_gets_a_fresh_tree_without_key():
    class NoKey(TicTacToe):
        key = None

    task = NoKey()
    search = MCTS(task, UniformEvaluator(), SearchConfig(num_simulations=30))
    first = task.from_board("XO. ... ...", 0)
    search.search([first], np.random.default_rng(0))
    again = search.search([first], np.random.default_rng(0), num_simulations=10)
    assert again.visit_counts.sum() == 40  # same position: the tree is kept
    other = task.from_board("OX. ... ...", 0)  # same mover, same legal moves, another position
    assert search.search([other], np.random.default_rng(0), num_simulations=10).visit_counts.sum() == 10


@pytest.mark.parametrize("gumbel", [False, True])
def test_connect_four_takes_the_win_and_blocks(gumbel):
    """The shipped connect four task: seat 0 wins in column 0; seat 1, to move first, must block it."""
    from az_pz import make_task

    task = make_task("connect_four_v3")
    state = task.initial_state()
    for action in (0, 1, 0, 1, 0):
        state, _ = task.step(state, action)
    config = SearchConfig(num_simulations=32 if gumbel else 200, gumbel=gumbel)
    assert search_one(task, state, config).action[0] == 0  # seat 1 blocks column 0
    state, _ = task.step(state, 6)
    assert search_one(task, state, config).action[0] == 0  # seat 0 wins in column 0


def test_a_failing_evaluator_leaves_no_half_searched_tree():
    class Flaky:
        def __init__(self):
            self.calls = 0

        def evaluate(self, task, states):
            self.calls += 1
            if self.calls == 3:
                raise RuntimeError("out of memory")
            return UniformEvaluator().evaluate(task, states)

    search = MCTS(TTT, Flaky(), SearchConfig(num_simulations=40, leaves_per_tree=4))
    with pytest.raises(RuntimeError):
        search.search([TTT.initial_state()], np.random.default_rng(0))
    assert search.tree_size(0) == 0
    out = search.search([TTT.initial_state()], np.random.default_rng(0))
    assert out.visit_counts.sum() == 40 and not search.tree.pending[0, :search.tree_size(0)].any()
