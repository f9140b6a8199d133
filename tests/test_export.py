"""ONNX export: onnxruntime's outputs against torch's on random and real observations, every phase, the sidecar."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

ort = pytest.importorskip("onnxruntime", reason="the onnx extra is not installed: pip install 'az_pz[onnx]'")
pytest.importorskip("onnx", reason="the onnx extra is not installed: pip install 'az_pz[onnx]'")

from az_pz.agents.alphazero import AlphaZeroAgent  # noqa: E402
from az_pz.cli import main  # noqa: E402
from az_pz.config import NetworkConfig, preset  # noqa: E402
from az_pz.export import export_onnx, verify_onnx  # noqa: E402
from az_pz.games import make_task  # noqa: E402
from az_pz.network import AlphaZeroNetwork, NetworkEvaluator  # noqa: E402
from az_pz.task import rotate_to_seats  # noqa: E402
from az_pz.testing import random_game_states  # noqa: E402

TOLERANCE = 1e-4


def _network(task, config: NetworkConfig, seed: int = 0) -> AlphaZeroNetwork:
    """A preset-shaped network with random weights and batch-norm statistics (not the identity of a fresh one)."""
    torch.manual_seed(seed)
    network = AlphaZeroNetwork(task.spec, config)
    for module in network.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_mean.uniform_(-0.5, 0.5)
            module.running_var.uniform_(0.5, 2.0)
    return network.eval()


def _real_observations(task, count: int, seed: int = 0) -> tuple[list, np.ndarray]:
    """States of random games and their observations ``[count, C, H, W]`` (single-phase tasks)."""
    states = random_game_states(task, count, seed)
    return states, np.stack([task.observe(s) for s in states]).astype(np.float32)


@pytest.mark.parametrize("game", ["connect_four_v3", "chess_v6"])
def test_onnxruntime_matches_torch_on_random_and_real_observations(tmp_path, game):
    task = make_task(game)
    network = _network(task, preset(game).network)
    result = export_onnx(network, tmp_path / f"{game}.onnx", task=task)
    states, real = _real_observations(task, 24)
    real_error = verify_onnx(result.onnx_path, network, task, observations=[real])
    print(f"{game}: max abs error, random {result.max_abs_error:.3g}, real {real_error:.3g}")
    assert result.max_abs_error <= TOLERANCE and real_error <= TOLERANCE
    # the sidecar's reading of the values (mover first) gives the evaluator's seat-order values
    session = ort.InferenceSession(str(result.onnx_path), providers=["CPUExecutionProvider"])
    logits, values = session.run(["policy_logits", "values"], {"observation": real})
    movers = np.array([task.to_play(s) for s in states])
    expected = NetworkEvaluator(network, "cpu").evaluate(task, states)
    np.testing.assert_allclose(rotate_to_seats(values, movers), expected.values, atol=TOLERANCE)
    np.testing.assert_allclose(logits, expected.prior_logits[:, : logits.shape[1]], atol=TOLERANCE)


def test_two_phase_game_exports_every_head_and_fixed_batch(tmp_path):
    from az_pz.adapters import PettingZooTask
    from tests.games import two_phase

    task = PettingZooTask(two_phase.env)
    assert task.spec.num_phases == 2
    network = _network(task, NetworkConfig(kind="resnet", num_blocks=1, channels=8, policy_channels=4,
                                           value_channels=2, value_hidden=8))
    result = export_onnx(network, tmp_path / "two.onnx", task=task)
    assert result.max_abs_error <= TOLERANCE
    sidecar = json.loads((tmp_path / "two.onnx.json").read_text())
    assert [p["input"] for p in sidecar["phases"]] == ["observation_0", "observation_1"]
    assert [p["num_actions"] for p in sidecar["phases"]] == [p.num_actions for p in task.spec.phases]
    session = ort.InferenceSession(str(result.onnx_path), providers=["CPUExecutionProvider"])
    one = np.random.default_rng(1).standard_normal((3, *task.spec.phases[1].observation_shape)).astype(np.float32)
    empty = np.zeros((0, *task.spec.phases[0].observation_shape), np.float32)  # a phase not needed: 0 rows
    _, _, logits, values = session.run(None, {"observation_0": empty, "observation_1": one})
    with torch.no_grad():
        torch_logits, torch_values = network(torch.from_numpy(one), 1)
    assert np.abs(logits - torch_logits.numpy()).max() <= TOLERANCE
    assert np.abs(values - torch_values.numpy()).max() <= TOLERANCE
    fixed = export_onnx(network, tmp_path / "fixed.onnx", task=task, batch=3)
    session = ort.InferenceSession(str(fixed.onnx_path), providers=["CPUExecutionProvider"])
    assert session.get_inputs()[1].shape[0] == 3 and fixed.sidecar["batch"] == 3
    with pytest.raises(Exception, match="(?i)dimension|shape"):
        session.run(None, {"observation_0": np.zeros((4, *task.spec.phases[0].observation_shape), np.float32),
                           "observation_1": np.zeros((4, *task.spec.phases[1].observation_shape), np.float32)})


def test_export_command_from_an_agent_zip(tmp_path, capsys):
    task = make_task("connect_four_v3")
    network = _network(task, preset("connect_four_v3").network)
    archive = AlphaZeroAgent(task, network, device="cpu").save(tmp_path / "agent.zip")
    assert main(["export", str(archive), "--onnx", str(tmp_path / "out" / "c4.onnx")]) == 0
    text = capsys.readouterr().out
    assert "max abs error" in text and "policy_logits [B, 7]" in text
    sidecar = json.loads((tmp_path / "out" / "c4.onnx.json").read_text())
    assert sidecar["format"] == "az_pz.onnx/1" and sidecar["game"] == "connect_four_v3"
    assert sidecar["batch"] == "dynamic" and "mover" in sidecar["how_to_read"]["values"]
    _, real = _real_observations(task, 5)
    assert verify_onnx(tmp_path / "out" / "c4.onnx", network, task, observations=[real]) <= TOLERANCE
    assert main(["export", str(tmp_path / "missing"), "--onnx", str(tmp_path / "x.onnx")]) == 1
    assert "does not exist" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stop:  # refused by the parser: usage, one line
        main(["export", str(archive), "--onnx", str(tmp_path / "x.onnx"), "--batch", "0"])
    assert stop.value.code == 2 and "--batch: must be at least 1" in capsys.readouterr().err
