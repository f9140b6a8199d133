"""Self-play: batched games, temperature, playout caps, resignation, symmetries, one seed one result."""

import numpy as np
import pytest
import torch

from az_pz.config import NetworkConfig, SelfPlayConfig
from az_pz.games import make_task
from az_pz.network import AlphaZeroNetwork, NetworkEvaluator
from az_pz.search import SearchConfig
from az_pz.selfplay import SelfPlay, choose_actions
from az_pz.selfplay.loop import discounted_returns
from az_pz.task import rotate_to_player
from learning_helpers import ToyTask


def _selfplay(task=None, **config):
    task = task or make_task("tictactoe_v3")
    torch.manual_seed(0)
    network = AlphaZeroNetwork(task.spec, NetworkConfig(kind="mlp", num_blocks=1, mlp_hidden=16, value_hidden=8))
    settings = dict(games_per_iteration=6, concurrent_games=4)
    settings.update(config)
    return SelfPlay(task, NetworkEvaluator(network, "cpu"), SearchConfig(num_simulations=8, leaves_per_tree=4),
                    SelfPlayConfig(**settings))


def test_plays_the_games_asked_with_more_games_than_slots():
    positions, stats = _selfplay(symmetry_augmentation=False).play(6, np.random.default_rng(0))
    assert stats.games == 6 and len(stats.returns) == 6
    assert stats.positions == len(positions) == stats.moves  # every move is a full search, recorded
    for obs, phase, policy, value, mask in positions:
        assert obs.shape == (2, 3, 3) and policy.shape == (9,) and mask.shape == (9,)
        assert policy.sum() == pytest.approx(1.0) and np.all(policy[~mask] == 0)
        assert value.shape == (2,) and value[0] == -value[1]  # mover-relative, zero-sum game


def test_symmetry_augmentation_stores_eight_copies():
    positions, stats = _selfplay().play(2, np.random.default_rng(0))
    assert stats.samples == 8 * stats.positions == len(positions)


def test_one_seed_one_result():
    a, _ = _selfplay().play(3, np.random.default_rng(7))
    b, _ = _selfplay().play(3, np.random.default_rng(7))
    assert len(a) == len(b)
    for x, y in zip(a, b):
        for u, v in zip(x, y):
            np.testing.assert_array_equal(u, v)


def test_playout_cap_randomization_records_only_full_searches():
    _, stats = _selfplay(full_search_prob=0.3, fast_simulations=2, symmetry_augmentation=False).play(
        8, np.random.default_rng(0))
    assert 0 < stats.positions < stats.moves


def test_resignation_and_its_false_positive_check():
    sp = _selfplay(resign_threshold=1.0, resign_min_moves=0, resign_playout_fraction=0.0,
                   symmetry_augmentation=False)
    _, stats = sp.play(4, np.random.default_rng(0))  # every mover is below a threshold of 1.0
    assert stats.resignations == 4 and stats.moves == 0
    for total in stats.returns:
        assert sorted(total.tolist()) == [-1.0, 1.0]
    sp = _selfplay(resign_threshold=1.0, resign_min_moves=0, resign_playout_fraction=1.0,
                   symmetry_augmentation=False)
    _, stats = sp.play(12, np.random.default_rng(0))  # all played out to check the threshold
    assert stats.resignations == 0 and stats.moves > 0
    # playing out 12 games measured the false-positive rate; random-ish play makes it high, so the
    # threshold was lowered (AlphaGo Zero keeps it under 5%)
    assert sp.resign_threshold < 1.0


def test_three_player_two_phase_value_targets_sum_future_rewards():
    task = ToyTask()
    positions, stats = _selfplay(task, temperature_moves=6).play(2, np.random.default_rng(0))
    assert {p[1] for p in positions} == {0, 1}
    assert stats.positions == 12
    # the last recorded move of a game: its value target is that move's reward plus the final bonus
    obs, phase, policy, value, mask = positions[5]
    assert value.shape == (3,) and np.abs(value).max() <= 1


def test_discounted_returns_count_each_reward_from_where_it_is_seen():
    rewards = [np.array([0.5, -0.5]), np.array([0.0, 0.0]), np.array([-1.0, 1.0])]
    returns = discounted_returns(rewards, 0.5, 2)
    np.testing.assert_allclose(returns, [[0.25, -0.25], [-0.5, 0.5], [-1.0, 1.0], [0.0, 0.0]])
    np.testing.assert_allclose(discounted_returns(rewards, 1.0, 2)[0], [-0.5, 0.5])  # undiscounted: the sum


def test_discounted_value_targets_shrink_with_the_plies_to_the_end():
    """Tic-tac-toe pays only at its end: a position ``k`` plies before it gets ``discount ** (k - 1)`` times
    the result, so the last move's target is the whole result and earlier ones less."""
    discount = 0.9
    plain, _ = _selfplay(symmetry_augmentation=False).play(1, np.random.default_rng(3))
    discounted, _ = _selfplay(symmetry_augmentation=False, discount=discount).play(1, np.random.default_rng(3))
    assert len(plain) == len(discounted) >= 5  # the same game: the targets do not steer the moves
    for k, (p, d) in enumerate(zip(reversed(plain), reversed(discounted))):
        np.testing.assert_array_equal(p[2], d[2])
        np.testing.assert_allclose(d[3], p[3] * discount ** k, rtol=1e-6)
    assert np.abs(plain[-1][3]).max() == 1.0 or np.all(plain[-1][3] == 0)


def test_opening_random_share_keeps_the_other_games_on_the_initial_state():
    """Tic-tac-toe's empty board is recorded only by games that start there: with no random opening in any
    game, every game records it; with random openings of 1 to 4 plies in half the games, about half do."""
    task = make_task("tictactoe_v3")
    empty = np.asarray(task.observe(task.initial_state(0)), np.float32)

    def games_from_the_empty_board(**config) -> int:
        positions, stats = _selfplay(task, symmetry_augmentation=False, concurrent_games=8, **config).play(
            40, np.random.default_rng(5))
        assert stats.games == 40
        return sum(np.array_equal(p[0], empty) for p in positions)

    assert games_from_the_empty_board(opening_random_plies=4, opening_random_share=0.0) == 40
    everyone = games_from_the_empty_board(opening_random_plies=4)  # share 1: k = 0 in about a fifth of them
    half = games_from_the_empty_board(opening_random_plies=4, opening_random_share=0.5)
    assert everyone < half < 40 and 18 <= half <= 34  # 20 + 20/5 = 24 expected


def test_opening_random_share_is_checked():
    with pytest.raises(ValueError, match="opening_random_share must be in"):
        SelfPlayConfig(opening_random_plies=8, opening_random_share=1.5)


def test_choose_actions_temperature():
    counts = np.array([[0, 10, 30], [5, 5, 0]])
    rng = np.random.default_rng(0)
    greedy = choose_actions(counts, np.zeros(2), rng)
    assert greedy[0] == 2 and greedy[1] in (0, 1)
    sampled = [choose_actions(counts[:1], np.ones(1), rng)[0] for _ in range(400)]
    assert 0 not in sampled and 0.15 < np.mean(np.array(sampled) == 1) < 0.35


def test_rotation_helper_is_the_networks_frame():
    assert rotate_to_player(np.array([1.0, 2.0, 3.0]), 1).tolist() == [2.0, 3.0, 1.0]


@pytest.mark.slow
def test_worker_processes_hand_back_positions_in_job_order(tmp_path):
    """Workers finish in any order; the positions still come job by job, as one process would play them."""
    from learning_helpers import play_in_workers, tiny_config

    torch.set_num_threads(1)  # as in the workers: the same float results
    config = tiny_config(selfplay__backend="processes", selfplay__workers=3, selfplay__concurrent_games=1)
    task, network, positions, stats = play_in_workers(config, tmp_path, 3, seed=7)
    seeds = np.random.default_rng(7)
    expected = []
    for _ in range(3):  # one game per job
        selfplay = SelfPlay(task, NetworkEvaluator(network, "cpu"), config.search, config.selfplay)
        expected += selfplay.play(1, np.random.default_rng(int(seeds.integers(2**63 - 1))))[0]
    assert stats.games == 3 and len(positions) == len(expected)
    for got, want in zip(positions, expected):
        for a, b in zip(got, want):
            np.testing.assert_array_equal(a, b)


def test_one_merge_pools_resignation_checks_and_adopts_a_lowered_threshold():
    """Every backend adds a job's figures with ``merge_result``: counters add, checks pool, a threshold a job
    already lowered is handed over (its counters then start again)."""
    from az_pz.selfplay import ResignState, SelfPlayStats, merge_result

    resign = ResignState()
    resign._init_resign(-0.9)
    stats = SelfPlayStats()
    job = {"games": 2, "moves": 10, "positions": 8, "samples": 8, "simulations": 80, "resignations": 1,
           "adjudicated": 0, "evaluations": 70, "cache_hits": 3, "returns": np.array([[1, -1], [0, 0]], np.float32),
           "game_actions": [[0, 1], [2]], "resign_playouts": 6, "resign_false_positives": 2, "resign_threshold": -0.9}
    merge_result(stats, resign, job)
    merge_result(stats, resign, job)
    assert (stats.games, stats.moves, stats.cache_hits, len(stats.returns), len(stats.game_actions)) == (4, 20, 6, 4, 4)
    assert (resign.resign_playouts, resign.resign_false_positives) == (12, 4)
    resign._lower_resign_threshold(0.05)  # 4 of 12 checks were false positives: lowered, counters reset
    assert resign.resign_threshold == pytest.approx(-0.95) and resign.resign_playouts == 0
    merge_result(stats, resign, {**job, "resign_threshold": -1.0})
    assert (resign.resign_threshold, resign.resign_playouts) == (-1.0, 0)
