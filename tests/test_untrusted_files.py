"""Names and sizes read from files are data, never code: crafted run directories and agent archives are refused
before anything is imported or allocated."""

import json
import shutil
import sys
import time
import zipfile

import pytest

from az_pz.agents.alphazero import AlphaZeroAgent
from az_pz.checkpoint import CheckpointError, read_checkpoint_state
from az_pz.games import known_game, make_task
from az_pz.train import Trainer
from learning_helpers import tiny_config

MARKER_PACKAGE = "az_pz_untrusted_marker"


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A one-iteration tic-tac-toe run and an agent archive saved from it."""
    folder = tmp_path_factory.mktemp("untrusted")
    Trainer(tiny_config(train__iterations=1), run_dir=folder / "run", progress=False, tensorboard=False).learn()
    AlphaZeroAgent.load(folder / "run", device="cpu").save(folder / "agent.zip")
    return folder


@pytest.fixture
def run(trained, tmp_path):
    """A copy of the trained run, free to tamper with."""
    return shutil.copytree(trained / "run", tmp_path / "run")


@pytest.fixture
def marker_module(tmp_path, monkeypatch):
    """A package on sys.path whose import writes a marker file: what a crafted game name would run."""
    marker = tmp_path / "marker"
    package = tmp_path / "modules" / MARKER_PACKAGE
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(f"open({str(marker)!r}, 'w').write('imported')\n")
    (package / "game.py").write_text("def env(**kwargs):\n    raise RuntimeError('never made')\n")
    monkeypatch.syspath_prepend(str(tmp_path / "modules"))
    yield marker
    for name in [name for name in sys.modules if name.startswith(MARKER_PACKAGE)]:
        del sys.modules[name]


def _edit_config(run, edit) -> None:
    path = run / "config.json"
    data = json.loads(path.read_text())
    edit(data)
    path.write_text(json.dumps(data))


def _edit_archive(source, target, edit) -> str:
    with zipfile.ZipFile(source) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    data = json.loads(entries["data.json"])
    edit(data)
    entries["data.json"] = json.dumps(data).encode()
    with zipfile.ZipFile(target, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return str(target)


def _latest(run):
    return run / "checkpoints" / (run / "checkpoints" / "latest").read_text().strip()


# ---------------------------------------------------------------------------------------------- game names


@pytest.mark.parametrize("name", ["connect_four_v3", "classic/connect_four-v3", "tictactoe_v3", "go_v5",
                                  "rps_v2", "classic/chess-v6"])
def test_known_games_and_registry_ids_resolve(name):
    assert known_game(name, "config.json") == name


@pytest.mark.parametrize("name", ["os.system", f"{MARKER_PACKAGE}.game", "pettingzoo.classic.chess.chess_utils",
                                  "classic/no_such_game-v1", "", None, 42])
def test_other_names_are_refused(name):
    with pytest.raises(ValueError, match="never imported"):
        known_game(name, "config.json")


def test_run_config_naming_a_module_path_is_never_imported(run, marker_module):
    _edit_config(run, lambda data: data["config"].update(game=f"{MARKER_PACKAGE}.game"))
    with pytest.raises(CheckpointError, match=rf"config.json \(game\) names the game '{MARKER_PACKAGE}.game'.*task="):
        AlphaZeroAgent.load(run, device="cpu")
    with pytest.raises(CheckpointError, match="never imported"):
        Trainer.resume(run, progress=False, tensorboard=False)
    assert not marker_module.exists() and MARKER_PACKAGE not in sys.modules


def test_a_task_given_in_code_still_loads_a_run_of_an_unknown_name(run):
    _edit_config(run, lambda data: data["config"].update(game="my_own_game"))
    agent = AlphaZeroAgent.load(run, device="cpu", task=make_task("tictactoe_v3"))
    assert agent.task.spec.name == "tictactoe_v3"


def test_agent_archive_naming_a_module_path_is_never_imported(trained, tmp_path, marker_module):
    crafted = _edit_archive(trained / "agent.zip", tmp_path / "crafted.zip",
                            lambda data: data.update(game=f"{MARKER_PACKAGE}.game"))
    with pytest.raises(CheckpointError, match="data.json \\(game\\).*never imported"):
        AlphaZeroAgent.load(crafted, device="cpu")
    assert not marker_module.exists() and MARKER_PACKAGE not in sys.modules


# ---------------------------------------------------------------------------------------------- sizes


@pytest.mark.parametrize("field, value", [("channels", 10**9), ("num_blocks", 10**7), ("mlp_hidden", 10**9),
                                          ("value_hidden", 10**9)])
def test_absurd_network_sizes_in_config_json_are_refused_naming_the_field(run, field, value):
    _edit_config(run, lambda data: data["config"]["network"].update({field: value}))
    start = time.perf_counter()
    with pytest.raises(CheckpointError, match=rf"network\.{field} = {value} is out of bounds \(at most \d+\)"):
        AlphaZeroAgent.load(run, device="cpu")
    with pytest.raises(CheckpointError, match=rf"network\.{field}"):
        Trainer.resume(run, progress=False, tensorboard=False)
    assert time.perf_counter() - start < 10  # refused, not allocated


def test_a_network_within_every_field_bound_but_too_large_in_all_is_refused(run):
    _edit_config(run, lambda data: data["config"]["network"].update(kind="mlp", mlp_hidden=32768, num_blocks=256))
    with pytest.raises(CheckpointError, match="weights, over the bound"):
        AlphaZeroAgent.load(run, device="cpu")


def test_absurd_sizes_in_an_agent_archive_are_refused(trained, tmp_path):
    crafted = _edit_archive(trained / "agent.zip", tmp_path / "crafted.zip",
                            lambda data: data["network"].update(mlp_hidden=10**9))
    with pytest.raises(CheckpointError, match=r"network\.mlp_hidden = 1000000000 is out of bounds"):
        AlphaZeroAgent.load(crafted, device="cpu")


def test_absurd_board_size_in_env_kwargs_is_refused(run):
    _edit_config(run, lambda data: data["config"].update(game="go_v5", env_kwargs={"board_size": 10**6}))
    with pytest.raises(CheckpointError, match=r"env_kwargs\.board_size = 1000000 is out of bounds"):
        AlphaZeroAgent.load(run, device="cpu")


def test_absurd_replay_capacity_is_refused_on_resume(run):
    _edit_config(run, lambda data: data["config"]["train"].update(replay_capacity=10**13))
    with pytest.raises(CheckpointError, match=r"train\.replay_capacity = 10000000000000 .* memory"):
        Trainer.resume(run, progress=False, tensorboard=False)


# ---------------------------------------------------------------------------------------------- state.json


def test_state_json_without_file_hashes_is_refused(run):
    checkpoint = _latest(run)
    state = json.loads((checkpoint / "state.json").read_text())
    del state["files"]
    (checkpoint / "state.json").write_text(json.dumps(state))
    with pytest.raises(CheckpointError, match="lists no file hashes"):
        read_checkpoint_state(checkpoint)
    with pytest.raises(CheckpointError, match="lists no file hashes"):
        AlphaZeroAgent.load(checkpoint, device="cpu")


def test_state_json_with_hashes_of_other_files_only_is_refused(run):
    checkpoint = _latest(run)
    state = json.loads((checkpoint / "state.json").read_text())
    state["files"] = {"replay.npz": state["files"]["replay.npz"]}
    (checkpoint / "state.json").write_text(json.dumps(state))
    with pytest.raises(CheckpointError, match="lists no file hashes"):
        read_checkpoint_state(checkpoint)


def test_a_data_file_state_json_does_not_list_is_refused(run):
    checkpoint = _latest(run)
    shutil.copy(checkpoint / "model.safetensors", checkpoint / "best_model.safetensors")
    with pytest.raises(CheckpointError, match="best_model.safetensors, which state.json does not list"):
        read_checkpoint_state(checkpoint)


def test_file_names_with_a_path_are_refused(run, tmp_path):
    checkpoint = _latest(run)
    state = json.loads((checkpoint / "state.json").read_text())
    state["files"]["../../outside.txt"] = {"bytes": 1, "sha256": "0" * 64}
    (checkpoint / "state.json").write_text(json.dumps(state))
    with pytest.raises(CheckpointError, match="invalid 'files' entry '../../outside.txt'"):
        read_checkpoint_state(checkpoint)


def test_an_untouched_run_still_loads(run):
    assert read_checkpoint_state(_latest(run))["files"]
    assert AlphaZeroAgent.load(run, device="cpu").task.spec.name == "tictactoe_v3"
