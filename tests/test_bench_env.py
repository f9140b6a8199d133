"""bench_env_steps: the fast-task-versus-PettingZoo step benchmark runs and reports what it says."""

import pytest

from az_pz.bench_env import bench_env_steps, bench_envs, format_table


@pytest.mark.parametrize("game", ["tictactoe_v3", "classic/connect_four-v3"])
def test_bench_env_steps_reports_rates(game):
    result = bench_env_steps(game, seconds=0.1, num_games=5, rounds=1)
    assert result["game"] == game.replace("classic/", "").replace("-v3", "_v3")
    assert result["fast_steps_per_s"] > 0 and result["env_steps_per_s"] > 0
    assert result["speedup"] == pytest.approx(result["fast_steps_per_s"] / result["env_steps_per_s"])
    assert result["copy_us"] >= 0 and result["mean_game_length"] >= 5


def test_format_table_lists_every_game():
    table = format_table(bench_envs(["tictactoe_v3"], seconds=0.05, num_games=3, rounds=1))
    assert "tictactoe_v3" in table and "speedup" in table
