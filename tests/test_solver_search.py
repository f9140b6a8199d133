"""MCTS-Solver in the batched search: proofs on tiny games whose answers are known by hand."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from search_fixtures import ThreeKings, TicTacToe

from az_pz.evaluators import Evaluation, RolloutEvaluator, UniformEvaluator
from az_pz.search import MCTS, SearchConfig, run_search

TTT = TicTacToe()


class Misleading:
    """A confident, wrong network: nearly all prior on ``favourite`` (where legal), value 'the mover wins'."""

    def __init__(self, favourite: int) -> None:
        self.favourite = favourite

    def evaluate(self, task, states):
        logits = np.zeros((len(states), task.spec.max_actions), np.float32)
        values = np.zeros((len(states), task.spec.num_players), np.float32)
        for i, state in enumerate(states):
            logits[i, self.favourite] = 12.0
            values[i, task.to_play(state)] = 0.9
        return Evaluation(logits, values)


def solve(task, state, sims, *, evaluator=None, gumbel=False, add_noise=False, seed=0, considered=16):
    config = SearchConfig(num_simulations=sims, solver=True, gumbel=gumbel, gumbel_max_considered=considered)
    return run_search(task, evaluator or UniformEvaluator(), [state], config, np.random.default_rng(seed),
                      add_noise=add_noise)


@pytest.mark.parametrize("gumbel", [False, True])
@pytest.mark.parametrize("sims", [1, 2, 50])
def test_a_win_in_one_is_proven_at_the_root_whatever_the_network_says(sims, gumbel):
    state = TTT.from_board("XX. OO. X..", 0)  # X wins at 2 (and only there); the network wants 5
    out = solve(TTT, state, sims, evaluator=Misleading(5), gumbel=gumbel, add_noise=True, considered=2)
    assert out.action[0] == 2
    np.testing.assert_array_equal(out.root_values[0], [1.0, -1.0])  # exact, not an average
    assert out.policy[0, 2] == 1.0  # the target holds the proven win only


def test_several_wins_share_the_target():
    state = TTT.from_board("X.X .OO X.O", 0)  # X wins at 1 (row 0) and at 3 (column 0)
    out = solve(TTT, state, 8, evaluator=Misleading(5))
    assert out.action[0] in (1, 3)
    np.testing.assert_allclose(out.policy[0, [1, 3]], [0.5, 0.5])
    assert out.policy[0].sum() == pytest.approx(1.0)


@pytest.mark.parametrize("evaluator", [Misleading(8), RolloutEvaluator(2, np.random.default_rng(0))],
                         ids=["misleading", "rollouts"])
def test_a_loss_in_one_is_blocked_and_lost_moves_get_no_target(evaluator):
    state = TTT.from_board("XX. .O. ...", 1)  # O must block at 2; every other move loses at once
    out = solve(TTT, state, 64, evaluator=evaluator)
    assert out.action[0] == 2
    lost = [a for a in range(9) if a not in (0, 1, 2, 4)]
    assert out.visit_counts[0, lost].sum() == 0 and out.policy[0, lost].sum() == 0.0


def test_a_lost_root_is_proven_lost():
    state = TTT.from_board("XX. XO. ..O", 1)  # X threatens 2 and 6: O loses whatever it does
    search = MCTS(TTT, UniformEvaluator(), SearchConfig(num_simulations=40, solver=True))
    out = search.search([state], np.random.default_rng(0))
    a = search.tree
    assert a.proven[0, a.root[0]]
    np.testing.assert_array_equal(out.root_values[0], [1.0, -1.0])
    assert out.action[0] in np.flatnonzero(TTT.legal_mask(state))


def test_three_players_prove_per_seat():
    """Proofs are per seat: each seat's node is decided by its own return (ThreeKings: root (0.5, 0, 1))."""
    out = solve(ThreeKings(), (), 8)
    assert out.action[0] == 1
    np.testing.assert_array_equal(out.root_values[0], [0.5, 0.0, 1.0])


def test_the_solver_plays_tic_tac_toe_perfectly_against_itself():
    """Exhaustive check on every position of a few self-play games: a win in one is always taken, a loss
    in one always blocked, with a network that wants the wrong square."""
    rng = np.random.default_rng(3)
    for game in range(6):
        state = TTT.initial_state()
        while not TTT.is_terminal(state):
            mover = TTT.to_play(state)
            legal = np.flatnonzero(TTT.legal_mask(state))
            wins = [a for a in legal if TTT.step(state, a)[1][mover] > 0]
            out = solve(TTT, state, 24, evaluator=Misleading(int(rng.integers(9))), seed=game)
            action = int(out.action[0])
            if wins:
                assert action in wins
            else:
                foe = TTT.from_board("".join("XO."[c] for c in state[0]), 1 - mover)
                threats = [a for a in legal if TTT.step(foe, a)[1][1 - mover] > 0]
                if len(threats) == 1:
                    assert action == threats[0]
            state, _ = TTT.step(state, int(rng.choice(legal)) if game % 2 and len(legal) > 2 else action)


@pytest.mark.parametrize("gumbel", [False, True])
def test_connect_four_win_and_block_against_a_misleading_network(gumbel):
    from az_pz import make_task

    task = make_task("connect_four_v3")
    state = task.initial_state()
    for action in (0, 1, 0, 1, 0):
        state, _ = task.step(state, action)
    out = solve(task, state, 16, evaluator=Misleading(6), gumbel=gumbel)
    assert out.action[0] == 0  # seat 1 blocks column 0
    state, _ = task.step(state, 6)
    out = solve(task, state, 1, evaluator=Misleading(6), gumbel=gumbel)
    assert out.action[0] == 0 and out.policy[0, 0] == 1.0  # seat 0 wins in column 0


def test_connect_four_terminal_actions_match_stepping():
    """The fast ``terminal_actions`` of connect four agrees with one ``step`` per column on random games."""
    from az_pz import make_task

    task = make_task("connect_four_v3")
    rng = np.random.default_rng(0)
    checked = 0
    for _ in range(40):
        state = task.initial_state()
        while not task.is_terminal(state):
            expected = []
            for action in np.flatnonzero(task.legal_mask(state)).tolist():
                child, reward = task.step(state, action)
                if task.is_terminal(child):
                    expected.append((action, reward.tolist()))
            assert [(a, r.tolist()) for a, r in task.terminal_actions(state)] == expected
            checked += len(expected)
            state, _ = task.step(state, int(rng.choice(np.flatnonzero(task.legal_mask(state)))))
    assert checked > 20


@pytest.mark.parametrize("discount", [1.0, 0.9])
def test_the_solver_off_changes_nothing_and_numba_matches_the_reference(discount):
    states = [TTT.initial_state(), TTT.from_board("XO. .X. ..O", 0), TTT.from_board("XX. .O. ...", 1)]
    config = SearchConfig(num_simulations=60, leaves_per_tree=4, solver=True, discount=discount)
    outs = []
    for use_numba in (True, False):
        search = MCTS(TTT, RolloutEvaluator(1, np.random.default_rng(2)), config, num_games=3, use_numba=use_numba)
        outs.append(search.search(states, np.random.default_rng(0)))
        search.advance(0, int(outs[-1].action[0]))
        outs.append(search.search(states[:1] and [TTT.step(states[0], int(outs[-1].action[0]))[0]],
                                  np.random.default_rng(1)))
    for first, second in zip(outs[:2], outs[2:]):
        for x, y in zip(dataclasses.astuple(first), dataclasses.astuple(second)):
            np.testing.assert_array_equal(x, y)


def _minimax(state):
    """(value for the mover, plies to the end) of a tic-tac-toe position under perfect play, a win as fast
    and a loss as slow as can be."""
    mover, best = TTT.to_play(state), None
    for action in np.flatnonzero(TTT.legal_mask(state)).tolist():
        child, rewards = TTT.step(state, action)
        if TTT.is_terminal(child):
            value, plies = float(rewards[mover]), 1
        else:
            value, plies = _minimax(child)
            value, plies = -value, plies + 1
        key = (value, -plies if value >= 0 else plies)
        if best is None or key > best[0]:
            best = (key, value, plies)
    return best[1], best[2]


@pytest.mark.parametrize("discount", [1.0, 0.95])
def test_a_lost_root_resists_longest_and_a_won_root_wins_fastest(discount):
    """Moves of one outcome differ in distance: the proof ranks them as a perfect solver's scores do, with
    discounted backups too."""
    rng = np.random.default_rng(5)
    checked = 0
    while checked < 6:
        state = TTT.initial_state()
        for _ in range(int(rng.integers(2, 5))):
            state, _ = TTT.step(state, int(rng.choice(np.flatnonzero(TTT.legal_mask(state)))))
        if TTT.is_terminal(state):
            continue
        value, plies = _minimax(state)
        outcomes = {}
        for action in np.flatnonzero(TTT.legal_mask(state)).tolist():
            child, rewards = TTT.step(state, action)
            outcomes[action] = ((float(rewards[TTT.to_play(state)]), 1) if TTT.is_terminal(child)
                                else (-_minimax(child)[0], _minimax(child)[1] + 1))
        same = {a for a, o in outcomes.items() if o[0] == value}
        if value == 0 or len({outcomes[a][1] for a in same}) < 2:
            continue  # only decided positions whose moves of the best outcome differ in distance
        search = MCTS(TTT, UniformEvaluator(), SearchConfig(num_simulations=3000, solver=True, discount=discount))
        out = search.search([state], np.random.default_rng(0))
        assert search.tree.proven[0, search.tree.root[0]]
        assert outcomes[int(out.action[0])] == (value, plies)
        assert all(outcomes[a] == (value, plies) for a in np.flatnonzero(out.policy[0]).tolist())
        checked += 1


def test_a_discounted_search_discounts_each_ply_of_a_backed_up_value():
    # Root (X to move) rated [0.9, 0] by the evaluator, its one searched child (O to move) [0, 0.9]: the child's
    # value reaches the root once discounted, and the root's mean is over both evaluations.
    for discount, expected in ((1.0, [0.45, 0.45]), (0.5, [0.45, 0.225])):
        config = SearchConfig(num_simulations=1, discount=discount)
        out = run_search(TTT, Misleading(5), [TTT.initial_state()], config, np.random.default_rng(0))
        np.testing.assert_allclose(out.root_values[0], expected, rtol=1e-6)


@pytest.mark.parametrize("gumbel", [False, True])
def test_a_discounted_search_proves_the_same_and_values_a_proof_by_its_distance(gumbel):
    config = SearchConfig(num_simulations=40, solver=True, discount=0.9, gumbel=gumbel)
    won = TTT.from_board("XX. OO. X..", 0)  # X wins at once: the reward of the move itself, not discounted
    out = run_search(TTT, Misleading(5), [won], config, np.random.default_rng(0))
    assert out.action[0] == 2
    np.testing.assert_allclose(out.root_values[0], [1.0, -1.0])
    lost = TTT.from_board("XX. XO. ..O", 1)  # O loses whatever it does: X's win comes one ply later
    search = MCTS(TTT, UniformEvaluator(), config)
    out = search.search([lost], np.random.default_rng(0))
    assert search.tree.proven[0, search.tree.root[0]]
    np.testing.assert_allclose(out.root_values[0], [0.9, -0.9], rtol=1e-6)
