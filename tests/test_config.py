import dataclasses

import pytest

from az_pz.config import (
    PRESETS, EvalConfig, NetworkConfig, RunConfig, SelfPlayConfig, TrainConfig, config_from_json, config_to_json,
    lr_factor, preset, replace_nested,
)
from az_pz.search import SearchConfig


def test_presets_exist_for_the_classic_games_and_round_trip_through_json():
    for name in ("tictactoe_v3", "connect_four_v3", "chess_v6", "go_v5"):
        config = preset(name)
        assert config.game == name
        assert config_from_json(config_to_json(config)) == config
    assert set(PRESETS) >= {"chess_v6:gpu", "go_v5:13", "go_v5:19:gpu"}


def test_gpu_presets_are_larger():
    assert preset("chess_v6", gpu=True).network.num_blocks == 10
    assert preset("chess_v6", gpu=True).network.channels == 128
    go = preset("go_v5", gpu=True)
    assert (go.network.num_blocks, go.network.channels, go.env_kwargs["board_size"]) == (6, 96, 9)
    assert preset("go_v5", env_kwargs={"board_size": 13}).env_kwargs == {"board_size": 13, "komi": 7.5}
    with pytest.raises(ValueError, match="board size"):
        preset("go_v5", env_kwargs={"board_size": 7})


def test_registry_ids_and_unknown_games_get_a_config():
    assert preset("classic/connect_four-v3").game == "connect_four_v3"
    assert preset("my_game_v0").game == "my_game_v0"


def test_overrides_by_section_dict_and_double_underscore():
    config = preset("tictactoe_v3", search__num_simulations=7, selfplay={"concurrent_games": 3}, seed=5)
    assert (config.search.num_simulations, config.selfplay.concurrent_games, config.seed) == (7, 3, 5)
    with pytest.raises(ValueError, match="unknown"):
        replace_nested(config, search__nope=1)
    with pytest.raises(ValueError, match="unknown"):
        replace_nested(config, nope=1)


def test_configs_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        preset("tictactoe_v3").seed = 3


@pytest.mark.parametrize("make", [
    lambda: NetworkConfig(kind="transformer"),
    lambda: NetworkConfig(channels=0),
    lambda: SelfPlayConfig(full_search_prob=0.0),
    lambda: SelfPlayConfig(full_search_prob=0.5, fast_simulations=0),
    lambda: SelfPlayConfig(resign_threshold=2.0),
    lambda: TrainConfig(batch_size=0),
    lambda: TrainConfig(lr_schedule="linear"),
    lambda: EvalConfig(gating_games=5),
    lambda: EvalConfig(gating_threshold=0.0),
    lambda: RunConfig(device="tpu"),
    lambda: RunConfig(search=SearchConfig(num_simulations=8),
                      selfplay=SelfPlayConfig(full_search_prob=0.5, fast_simulations=9)),
])
def test_invalid_values_are_refused_with_a_message(make):
    with pytest.raises(ValueError):
        make()


def test_config_from_json_names_unknown_keys():
    data = config_to_json(preset("tictactoe_v3"))
    data["train"]["bogus"] = 1
    with pytest.raises(ValueError, match="bogus"):
        config_from_json(data)


def test_learning_rate_schedules():
    assert lr_factor("constant", 0.7, 100, 0, 0.1) == 1.0
    assert lr_factor("cosine", 0.0, 100, 0, 0.1) == pytest.approx(1.0)
    assert lr_factor("cosine", 1.0, 100, 0, 0.1) == pytest.approx(0.1)
    assert lr_factor("step", 0.8, 100, 0, 0.1) == pytest.approx(0.01)
    assert lr_factor("constant", 0.0, 0, 10, 0.1) == pytest.approx(0.1)


def test_cli_maps_fields_one_to_one():
    tyro = pytest.importorskip("tyro")
    config = tyro.cli(RunConfig, default=preset("tictactoe_v3"),
                      args=["--search.num-simulations", "64", "--train.batch-size", "32", "--selfplay.resign-threshold", "-0.9"])
    assert config.search.num_simulations == 64
    assert config.train.batch_size == 32
    assert config.selfplay.resign_threshold == -0.9


def test_fewer_simulations_than_the_fast_searches_says_which_option_to_lower():
    with pytest.raises(ValueError, match=r"lower it too \(--selfplay.fast-simulations N\)"):
        preset("connect_four_v3", search__num_simulations=8)


def test_selfplay_backend_and_workers_with_the_deprecated_num_workers_alias():
    """``selfplay.num_workers`` (old configs, old code) keeps its meaning: N processes, or inline for 0."""
    config = preset("tictactoe_v3", selfplay__backend="processes", selfplay__workers=3)
    data = config_to_json(config)
    assert (data["selfplay"]["backend"], data["selfplay"]["workers"]) == ("processes", 3)
    assert "num_workers" not in data["selfplay"]  # saved as backend + workers only
    old = config_to_json(preset("tictactoe_v3"))
    del old["selfplay"]["backend"], old["selfplay"]["workers"]
    for workers, backend in ((2, "processes"), (0, "inline")):
        old["selfplay"]["num_workers"] = workers
        with pytest.warns(DeprecationWarning, match="num_workers"):
            loaded = config_from_json(old).selfplay
        assert (loaded.backend, loaded.workers, loaded.num_workers) == (backend, workers, None)
    with pytest.warns(DeprecationWarning):
        assert dataclasses.replace(config.selfplay, num_workers=0).backend == "inline"
    with pytest.raises(ValueError, match="selfplay.backend 'processes' or 'ray'"):
        SelfPlayConfig(workers=2)
    with pytest.raises(ValueError, match="needs selfplay.workers >= 1"):
        SelfPlayConfig(backend="ray")


def test_the_evaluation_search_can_take_another_root_than_self_play():
    go = preset("go_v5")  # 9x9 on a CPU: self-play with a Gumbel root, the trained agent with PUCT
    assert go.search.gumbel and not go.eval_search().gumbel
    assert go.eval_search().num_simulations == go.eval.num_simulations
    assert config_from_json(config_to_json(go)).eval_search() == go.eval_search()
    connect_four = preset("connect_four_v3")  # no override: the agent searches as self-play does
    assert connect_four.eval.gumbel is None
    assert connect_four.eval_search().gumbel == connect_four.search.gumbel
    old = config_to_json(go)
    del old["eval"]["gumbel"]  # a config.json written before the option: its agent keeps self-play's root
    assert config_from_json(old).eval_search().gumbel
