"""The time manager (az_pz.engines.clock): a share of the time left per move, never the whole clock."""

from __future__ import annotations

import pytest

from az_pz.engines.clock import Clock, TimePolicy, move_time


def test_sudden_death_spends_a_thirtieth_of_what_is_left_after_the_reserve():
    assert move_time(Clock(60.0)) == pytest.approx((60.0 - 0.1 * 30) / 30)
    assert move_time(Clock(60.0), TimePolicy(overhead_s=0.0, expected_moves=60)) == pytest.approx(1.0)


def test_increment_and_moves_to_go():
    assert move_time(Clock(10.0, increment_s=2.0)) == pytest.approx(7.0 / 30 + 1.5)
    assert move_time(Clock(10.0, moves_to_go=5)) == pytest.approx(9.5 / 5)
    assert move_time(Clock(10.0, moves_to_go=1)) == pytest.approx(0.8 * 9.9)  # the last move before a refill
    assert move_time(Clock(1.0, increment_s=30.0)) == pytest.approx(0.5 * 0.9)  # never past half of what is left


def test_low_clock_answers_without_search():
    assert move_time(Clock(3.0)) == 0.0  # the reserve of 30 moves x 0.1 s
    assert move_time(Clock(-2.0)) == 0.0
    assert move_time(Clock(2.0, increment_s=1.0)) == pytest.approx(0.75)  # an increment to live on


@pytest.mark.parametrize("latency_s, moves", [(0.005, 300), (0.01, 300), (0.03, 200)])
def test_a_one_minute_game_never_runs_out(latency_s, moves):
    """1+0 where every move also loses ``latency_s`` outside the search, and every search overruns its target by
    20 ms: the clock stays positive over long games."""
    left = 60.0
    for _ in range(moves):
        spent = move_time(Clock(left))
        left -= spent + (0.02 if spent else 0.0) + latency_s
        assert left > 0


def test_bad_clocks_are_refused():
    with pytest.raises(ValueError, match="increment"):
        Clock(10.0, increment_s=-1.0)
    with pytest.raises(ValueError, match="moves_to_go"):
        Clock(10.0, moves_to_go=0)
    with pytest.raises(ValueError, match="expected_moves"):
        TimePolicy(expected_moves=0)
