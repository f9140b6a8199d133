import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from az_pz.checkpoint import (
    CheckpointError, find_checkpoint, latest_checkpoint, load_model_weights, optimizer_from_bytes,
    optimizer_to_bytes, read_checkpoint_state,
)
from az_pz import checkpoint as ckpt
from az_pz.config import NetworkConfig
from az_pz.games import make_task
from az_pz.network import AlphaZeroNetwork
from az_pz.train import Trainer
from learning_helpers import tiny_config


def _snapshot(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("run")
    trainer = Trainer(tiny_config(train__iterations=1), run_dir=run_dir, progress=False, tensorboard=False)
    trainer.learn()
    return run_dir, trainer


def test_round_trip_restores_weights_optimizer_replay_and_rng(trained_run):
    run_dir, trainer = trained_run
    files = {p.name for p in (run_dir / "checkpoints" / "iter_0001").iterdir()}
    assert files == {"model.safetensors", "optimizer.safetensors", "replay.npz", "state.json"}
    assert json.loads((run_dir / "config.json").read_text())["versions"]["torch"] == torch.__version__.split("+")[0] \
        or "torch" in json.loads((run_dir / "config.json").read_text())["versions"]
    resumed = Trainer.resume(run_dir, progress=False, tensorboard=False)
    assert resumed.iteration == 1
    for key, value in trainer.network.state_dict().items():
        assert torch.equal(value.cpu(), resumed.network.state_dict()[key].cpu())
    a, b = trainer.optimizer.state_dict(), resumed.optimizer.state_dict()
    assert a["param_groups"] == b["param_groups"]
    for pid, entries in a["state"].items():
        for name, value in entries.items():
            assert torch.equal(torch.as_tensor(value), torch.as_tensor(b["state"][pid][name]))
    assert len(resumed.replay) == len(trainer.replay)
    np.testing.assert_array_equal(resumed.replay.policies, trainer.replay.policies)
    assert resumed.rng.bit_generator.state == trainer.rng.bit_generator.state
    assert resumed.counters == trainer.counters


def test_optimizer_state_is_safetensors_plus_json():
    net = torch.nn.Linear(3, 2)
    opt = torch.optim.AdamW(net.parameters(), lr=0.01)
    net(torch.randn(4, 3)).sum().backward()
    opt.step()
    data = optimizer_to_bytes(opt)
    other = torch.optim.AdamW(torch.nn.Linear(3, 2).parameters(), lr=0.5)
    optimizer_from_bytes(data, other)
    assert other.param_groups[0]["lr"] == 0.01
    assert torch.equal(other.state_dict()["state"][0]["exp_avg"], opt.state_dict()["state"][0]["exp_avg"])
    with pytest.raises(CheckpointError, match="not readable"):
        optimizer_from_bytes(data[: len(data) // 2], other)


def _copy_run(src: Path, dst: Path) -> Path:
    import shutil

    shutil.copytree(src, dst)
    return dst


def test_truncated_file_fails_clearly_and_changes_nothing(trained_run, tmp_path):
    run_dir = _copy_run(trained_run[0], tmp_path / "run")
    model = latest_checkpoint(run_dir) / "model.safetensors"
    model.write_bytes(model.read_bytes()[:1000])
    before = _snapshot(run_dir)
    with pytest.raises(CheckpointError, match="model.safetensors is damaged"):
        Trainer.resume(run_dir, progress=False, tensorboard=False)
    from az_pz.agents.alphazero import AlphaZeroAgent

    with pytest.raises(CheckpointError, match="damaged"):
        AlphaZeroAgent.load(run_dir)
    assert _snapshot(run_dir) == before


def test_truncated_model_file_alone_is_refused(trained_run, tmp_path):
    model = latest_checkpoint(trained_run[0]) / "model.safetensors"
    cut = tmp_path / "model.safetensors"
    cut.write_bytes(model.read_bytes()[:-100])
    net = AlphaZeroNetwork(make_task("tictactoe_v3").spec, tiny_config().network)
    with pytest.raises(CheckpointError, match="truncated"):
        load_model_weights(cut, net, make_task("tictactoe_v3").spec)


def test_foreign_files_are_refused(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"hello": "world"}))
    with pytest.raises(CheckpointError, match="not an az_pz run config"):
        Trainer.resume(tmp_path)
    with pytest.raises(CheckpointError, match="neither"):
        find_checkpoint(tmp_path / "..")
    (tmp_path / "model.safetensors").write_bytes(b"\x00" * 64)
    spec = make_task("tictactoe_v3").spec
    with pytest.raises(CheckpointError):
        load_model_weights(tmp_path / "model.safetensors", AlphaZeroNetwork(spec, NetworkConfig()), spec)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(CheckpointError, match="not an az_pz run directory"):
        Trainer.resume(empty)


def test_wrong_game_and_wrong_network_shape_are_named(trained_run):
    run_dir, _ = trained_run
    model = latest_checkpoint(run_dir) / "model.safetensors"
    c4 = make_task("connect_four_v3").spec
    with pytest.raises(CheckpointError, match="trained for 'tictactoe_v3'.*not for 'connect_four_v3'"):
        load_model_weights(model, AlphaZeroNetwork(c4, tiny_config().network), c4)
    spec = make_task("tictactoe_v3").spec
    bigger = NetworkConfig(kind="mlp", num_blocks=1, mlp_hidden=64, value_hidden=16)
    with pytest.raises(CheckpointError, match="does not fit this network.*network config"):
        load_model_weights(model, AlphaZeroNetwork(spec, bigger), spec)
    with pytest.raises(CheckpointError, match="keeps its game"):
        Trainer.resume(run_dir, network__mlp_hidden=64)
    with pytest.raises(CheckpointError, match="already holds a run"):
        Trainer(tiny_config(), run_dir=run_dir, progress=False)


_SAVER = textwrap.dedent("""
    import sys, numpy as np
    sys.path.insert(0, {tests!r})
    from learning_helpers import tiny_config
    from az_pz.train import Trainer
    trainer = Trainer(tiny_config(train__replay_capacity=300_000), run_dir={run!r}, progress=False, tensorboard=False)
    rng = np.random.default_rng(0)
    obs = np.zeros((2, 3, 3), np.float32); mask = np.ones(9, bool)
    for i in range(60_000):  # a replay buffer large enough that a save takes a while
        trainer.replay.add(obs + (i % 7), 0, np.full(9, 1 / 9, np.float32), np.array([1.0, -1.0], np.float32), mask)
    trainer.replay.policies[:60_000] = rng.random((60_000, 9))
    while True:
        trainer.iteration += 1
        trainer.save()
        print("saved", trainer.iteration, flush=True)
""")


@pytest.mark.parametrize("delay", [0.0, 0.1, pytest.param(0.03, marks=pytest.mark.slow), pytest.param(0.25, marks=pytest.mark.slow)])
def test_kill_9_during_save_leaves_the_last_good_checkpoint(tmp_path, delay):
    run_dir = tmp_path / "run"
    script = _SAVER.format(tests=str(Path(__file__).parent), run=str(run_dir))
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        first = proc.stdout.readline()
        assert first.startswith("saved"), first
        time.sleep(delay)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    saved = [int(first.split()[1])] + [int(line.split()[1]) for line in proc.stdout.read().splitlines()]
    checkpoint = latest_checkpoint(run_dir)
    state = read_checkpoint_state(checkpoint)  # verifies every file's size and hash
    assert state["iteration"] >= saved[-1]
    resumed = Trainer.resume(run_dir, progress=False, tensorboard=False)
    assert resumed.iteration == state["iteration"]
    assert len(resumed.replay) == 60_000
    # the next save of the resumed run cleans up any half-written temporary directory
    resumed.save()
    assert not list((run_dir / "checkpoints").glob(".iter_*"))


def _draws(generator: np.random.Generator) -> list:
    import random

    return [generator.random(), np.random.random(), torch.rand(1).item(), random.random()]


def test_rng_state_round_trips_through_json_without_cuda():
    """A process that never used CUDA saves no CUDA state; every other generator comes back exactly."""
    from az_pz.checkpoint import restore_rng_state, rng_state

    generator = np.random.default_rng(3)
    state = json.loads(json.dumps(rng_state(generator)))
    if not torch.cuda.is_initialized():
        assert "torch_cuda" not in state
    expected = _draws(generator)
    restore_rng_state(state, generator)
    assert _draws(generator) == expected


def test_cuda_rng_states_for_another_device_count_are_skipped_with_a_warning():
    from az_pz.checkpoint import restore_rng_state, rng_state

    generator = np.random.default_rng(3)
    state = json.loads(json.dumps(rng_state(generator)))
    here = torch.cuda.device_count() if torch.cuda.is_available() else 0
    state["torch_cuda"] = [state["torch"]] * (here + 1)  # any bytes: they must not be applied
    expected = _draws(generator)
    with pytest.warns(RuntimeWarning, match=f"CUDA RNG states for {here + 1} device"):
        restore_rng_state(state, generator)
    assert _draws(generator) == expected


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_rng_state_round_trips_through_json():
    from az_pz.checkpoint import restore_rng_state, rng_state

    torch.cuda.manual_seed_all(7)
    torch.rand(1, device="cuda")  # CUDA in use, as in a GPU run
    generator = np.random.default_rng(3)
    state = json.loads(json.dumps(rng_state(generator)))
    assert len(state["torch_cuda"]) == torch.cuda.device_count()
    expected = [torch.rand(4, device=f"cuda:{d}").cpu() for d in range(torch.cuda.device_count())]
    restore_rng_state(state, generator)
    for d, values in enumerate(expected):
        assert torch.equal(torch.rand(4, device=f"cuda:{d}").cpu(), values)


def test_pruning_keeps_the_newest_and_every_nth_checkpoint(tmp_path):
    for iteration in range(1, 13):
        ckpt.save_checkpoint(tmp_path, iteration, {"model.safetensors": b"weights"}, {}, keep=2, keep_every=5)
    kept = sorted(p.name for p in (tmp_path / "checkpoints").iterdir() if p.name.startswith("iter_"))
    assert kept == ["iter_0005", "iter_0010", "iter_0011", "iter_0012"]
    assert ckpt.latest_checkpoint(tmp_path).name == "iter_0012"
    for iteration in range(13, 15):  # without keep_every only the newest two stay
        ckpt.save_checkpoint(tmp_path, iteration, {"model.safetensors": b"weights"}, {}, keep=2)
    kept = sorted(p.name for p in (tmp_path / "checkpoints").iterdir() if p.name.startswith("iter_"))
    assert kept == ["iter_0013", "iter_0014"]


def test_npz_files_are_deflated_numpy_archives_without_pickle(tmp_path):
    from az_pz.atomic_files import atomic_save_npz

    arrays = {"zeros": np.zeros((200, 111), np.float32), "labels": np.arange(7, dtype=np.int16)}
    atomic_save_npz(tmp_path / "packed.npz", compress=True, **arrays)
    atomic_save_npz(tmp_path / "stored.npz", **arrays)
    for name in ("packed.npz", "stored.npz"):
        with np.load(tmp_path / name, allow_pickle=False) as data:
            assert sorted(data.files) == ["labels", "zeros"]
            for key, value in arrays.items():
                np.testing.assert_array_equal(data[key], value)
                assert data[key].dtype == value.dtype
    assert (tmp_path / "packed.npz").stat().st_size < (tmp_path / "stored.npz").stat().st_size / 10
    with pytest.raises(TypeError, match="never pickles"):
        atomic_save_npz(tmp_path / "objects.npz", bad=np.array([{}], dtype=object))


def test_append_text_grows_a_file_in_a_new_folder_and_keeps_what_it_held(tmp_path):
    from az_pz.atomic_files import append_text

    path = tmp_path / "new" / "log.jsonl"
    append_text(path, '{"iteration": 1}\n')
    append_text(path, '{"iteration": 2}\n')
    assert path.read_text() == '{"iteration": 1}\n{"iteration": 2}\n'
