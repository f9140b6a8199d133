"""bench_env_steps: the fast-task-versus-PettingZoo step benchmark runs and reports what it says."""

import pytest

from az_pz.bench import bench_env_steps, bench_envs, format_table


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


def test_old_bench_module_names_still_work_with_a_deprecation_warning():
    import az_pz.bench as bench
    from az_pz.bench import sections

    with pytest.warns(DeprecationWarning, match="az_pz.bench_env.bench_env_steps moved to az_pz.bench.env_steps"):
        from az_pz.bench_env import bench_env_steps as old
    assert old is bench.bench_env_steps
    with pytest.warns(DeprecationWarning, match="az_pz.benchmark.run_benchmark moved"):
        from az_pz.benchmark import run_benchmark as old_run
    assert old_run is bench.run_benchmark
    with pytest.warns(DeprecationWarning, match="az_pz._bench_sections.bench_search moved"):
        from az_pz._bench_sections import bench_search as old_search
    assert old_search is sections.bench_search
