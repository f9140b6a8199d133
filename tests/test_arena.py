import json

import numpy as np
import pytest

from az_pz.agents import RandomAgent
from az_pz.envs import make_aec_env
from az_pz.matches import GameRecord, evaluate, expected_score, fit_elo, play_game, round_robin, tabulate


def _two(wins, n, prior_draws=0.0):
    return fit_elo(["A", "B"], np.array([[0, wins], [n - wins, 0]]), np.array([[0, n], [n, 0]]),
                   anchor="B", prior_draws=prior_draws)


def test_75_percent_is_191_elo():
    exact = 400 * np.log10(3)  # 190.85
    assert _two(75, 100).ratings[0] == pytest.approx(exact, abs=1e-6)
    assert _two(750, 1000, prior_draws=1.0).ratings[0] == pytest.approx(exact, abs=1.0)
    assert _two(75, 100, prior_draws=1.0).ratings[0] == pytest.approx(exact, abs=3.0)


def test_even_results_rate_equal_and_draws_count_half():
    scores = np.array([[0, 5.0], [5.0, 0]])  # e.g. 10 draws
    ratings = fit_elo(["A", "B"], scores, np.array([[0, 10], [10, 0]]))
    assert ratings.ratings == pytest.approx([0, 0], abs=1e-9)


def test_intervals_shrink_with_games():
    small, large = _two(75, 100), _two(300, 400)
    assert large.ratings[0] == pytest.approx(small.ratings[0])
    assert small.stderr[0] / large.stderr[0] == pytest.approx(2.0, rel=1e-6)
    assert large.lower[0] < large.ratings[0] < large.upper[0]
    assert small.upper[0] - small.lower[0] > large.upper[0] - large.lower[0]


def test_interval_covers_the_truth_about_95_percent_of_the_time():
    rng = np.random.default_rng(0)
    true_difference, n, covered = 150.0, 200, 0
    for _ in range(400):
        wins = rng.binomial(n, expected_score(true_difference))
        fit = _two(wins, n)
        covered += fit.lower[0] <= true_difference <= fit.upper[0]
    assert 0.92 <= covered / 400 <= 0.98


def test_perfect_record_stays_finite_with_the_prior():
    fit = _two(10, 10, prior_draws=1.0)
    assert np.isfinite(fit.ratings).all() and fit.ratings[0] > 200


def test_round_robin_recovers_a_known_order():
    # A beats B 64%, B beats C 64%, A beats C 76% (consistent with 100 Elo steps)
    names = ["A", "B", "C"]
    p_ab, p_ac = expected_score(100), expected_score(200)
    games = np.full((3, 3), 1000.0)
    np.fill_diagonal(games, 0)
    scores = np.array([[0, p_ab, p_ac], [1 - p_ab, 0, p_ab], [1 - p_ac, 1 - p_ab, 0]]) * 1000
    fit = fit_elo(names, scores, games, anchor="C", prior_draws=0.0)
    assert fit.ratings == pytest.approx([200, 100, 0], abs=1e-6)
    assert [row["agent"] for row in fit.as_rows()] == ["A", "B", "C"]


def test_inconsistent_tables_are_refused():
    with pytest.raises(ValueError):
        fit_elo(["A", "B"], np.array([[0, 3], [3, 0]]), np.array([[0, 5], [5, 0]]))


def test_tabulate_counts_wins_draws_and_losses_by_seat():
    records = [
        GameRecord(("A", "B"), (1.0, -1.0), (), 0),
        GameRecord(("B", "A"), (1.0, -1.0), (), 1),
        GameRecord(("A", "B"), (0.0, 0.0), (), 2),
    ]
    result = tabulate("connect_four_v3", ["A", "B"], records)
    assert (result.wins[0, 1], result.draws[0, 1], result.losses[0, 1]) == (1, 1, 1)
    assert (result.wins[1, 0], result.losses[1, 0]) == (1, 1)


def test_play_game_returns_the_winner_and_all_actions():
    env = make_aec_env("connect_four_v3")
    first, second = RandomAgent(0), RandomAgent(1)
    record = play_game(env, [first, second], seed=0, names=["a", "b"])
    assert record.returns in ((1.0, -1.0), (-1.0, 1.0), (0.0, 0.0))
    assert len(record.actions) >= 7
    assert play_game(env, [first, second], seed=0, names=["a", "b"]) == record  # agents reseeded per game


def test_round_robin_alternates_seats_and_writes_outputs(tmp_path):
    result = round_robin("tictactoe_v3", ["random", "mcts:25", "random"], games_per_pair=4, seed=0)
    assert result.names == ["random", "mcts:25", "random#2"]
    assert len(result.records) == 12
    firsts = [r.players[0] for r in result.records]
    assert all(firsts.count(name) == 4 for name in result.names)  # each plays first in half its 8 games
    assert int(result.wins.sum() + result.draws.sum() / 2) == 12
    paths = result.write(tmp_path)
    data = json.loads(paths["results.json"].read_text())
    assert data["table"]["mcts:25"]["random"]["wins"] == int(result.wins[1, 0])
    assert len(data["games"]) == 12 and {"agent", "elo", "ci_low", "ci_high"} <= set(data["ratings"][0])
    assert paths["results.csv"].read_text().startswith("agent,opponent,games,wins,draws,losses")
    assert paths["elo.png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "wins/draws/losses" in result.table()


def test_evaluate_mirrors_the_tutorial_measure():
    result = evaluate("mcts:30", "random", "connect_four_v3", n_games=6, seed=0)
    assert result.wins + result.draws + result.losses == 6
    assert result.win_rate >= 0.5
    again = evaluate("mcts:30", "random", "connect_four_v3", n_games=6, seed=0)
    assert again == result
    fixed_seat = evaluate("random", "random", "tictactoe_v3", n_games=4, seed=0, seat=1)
    assert fixed_seat.n_games == 4


def test_random_openings_are_shared_by_each_pair_of_games():
    result = round_robin("connect_four_v3", ["mcts:8", "random"], games_per_pair=4, seed=0, opening_moves=2)
    openings = [r.actions[:2] for r in result.records]
    assert openings[0] == openings[1] and openings[2] == openings[3]
    assert openings[0] != openings[2]


def test_old_module_names_still_work_with_a_deprecation_warning():
    import az_pz.matches as matches

    with pytest.warns(DeprecationWarning, match="az_pz.arena.round_robin moved to az_pz.matches.round_robin"):
        from az_pz.arena import round_robin as old_round_robin
    assert old_round_robin is matches.round_robin
    with pytest.warns(DeprecationWarning, match="az_pz.elo.fit_elo moved"):
        from az_pz.elo import fit_elo as old_fit_elo
    assert old_fit_elo is matches.fit_elo
    with pytest.raises(ImportError):
        from az_pz.arena import no_such_name  # noqa: F401


def test_agents_that_search_are_players_of_batched_matches():
    """AlphaZeroAgent and MCTSAgent speak the one player protocol: ``play_match`` runs them on Task states."""
    from az_pz import make_task
    from az_pz.agents.mcts import MCTSAgent
    from az_pz.matches import RandomPlayer, play_match

    task = make_task("tictactoe_v3")
    rollout = MCTSAgent(40, seed=0, task=task)
    result = play_match(task, rollout, RandomPlayer(task), 6, np.random.default_rng(0))
    assert result.games == 6 and result.losses == 0
