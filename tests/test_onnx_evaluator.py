"""The onnxruntime evaluator: same priors and values as torch's (fp32), int8 close, and the agent/CLI options."""

from __future__ import annotations

import numpy as np
import pytest
import torch

pytest.importorskip("onnxruntime", reason="the onnx extra is not installed: pip install 'az_pz[onnx]'")
pytest.importorskip("onnx", reason="the onnx extra is not installed: pip install 'az_pz[onnx]'")

from az_pz.agents.alphazero import AlphaZeroAgent  # noqa: E402
from az_pz.cli import main  # noqa: E402
from az_pz.config import NetworkConfig, preset  # noqa: E402
from az_pz.games import make_task  # noqa: E402
from az_pz.network import AlphaZeroNetwork, NetworkEvaluator  # noqa: E402
from az_pz.onnx_evaluator import OnnxEvaluator, make_evaluator  # noqa: E402
from az_pz.search import SearchConfig  # noqa: E402
from az_pz.testing import random_game_states  # noqa: E402


def _network(task, config) -> AlphaZeroNetwork:
    torch.manual_seed(0)
    network = AlphaZeroNetwork(task.spec, config)
    for module in network.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_mean.uniform_(-0.5, 0.5)
            module.running_var.uniform_(0.5, 2.0)
    return network.eval()


def test_fp32_evaluations_match_torch():
    task = make_task("connect_four_v3")
    network = _network(task, preset("connect_four_v3").network)
    states = random_game_states(task, 64)
    reference = NetworkEvaluator(network, "cpu").evaluate(task, states)
    fp32 = OnnxEvaluator(network, task).evaluate(task, states)
    assert np.abs(fp32.prior_logits - reference.prior_logits).max() <= 1e-4
    assert np.abs(fp32.values - reference.values).max() <= 1e-4


@pytest.mark.slow
def test_int8_evaluations_stay_close_to_torch():
    task = make_task("connect_four_v3")
    network = _network(task, preset("connect_four_v3").network)
    states = random_game_states(task, 64)
    reference = NetworkEvaluator(network, "cpu").evaluate(task, states)
    int8 = make_evaluator("onnx-int8", network, task).evaluate(task, states)
    drift = np.abs(int8.values - reference.values).max()
    print(f"int8 max |value - torch| {drift:.4f}")
    assert 0 < drift <= 0.1  # quantized, so not identical, but close
    with pytest.raises(ValueError, match="unknown evaluator 'tpu'"):
        make_evaluator("tpu", network, task)


def test_two_phase_game_runs_each_phase_and_refuses_int8():
    from az_pz.adapters import PettingZooTask
    from tests.games import two_phase

    task = PettingZooTask(two_phase.env)
    network = _network(task, NetworkConfig(kind="resnet", num_blocks=1, channels=8, policy_channels=4,
                                           value_channels=2, value_hidden=8))
    states = random_game_states(task, 40)
    assert len({task.phase(s) for s in states}) == 2
    reference = NetworkEvaluator(network, "cpu").evaluate(task, states)
    got = OnnxEvaluator(network, task).evaluate(task, states)
    assert np.abs(got.prior_logits - reference.prior_logits).max() <= 1e-4
    assert np.abs(got.values - reference.values).max() <= 1e-4
    with pytest.raises(ValueError, match="single-phase"):
        OnnxEvaluator(network, task, precision="int8")


def test_agent_and_eval_command_take_the_onnx_evaluator(tmp_path, capsys):
    task = make_task("connect_four_v3")
    archive = AlphaZeroAgent(task, _network(task, preset("connect_four_v3").network), device="cpu",
                             search=SearchConfig(num_simulations=4)).save(tmp_path / "agent.zip")
    torch_agent = AlphaZeroAgent.load(archive, device="cpu", num_simulations=0)
    onnx_agent = AlphaZeroAgent.load(archive, device="cpu", num_simulations=0, evaluator="onnx")
    assert isinstance(onnx_agent.evaluator, OnnxEvaluator)
    states = random_game_states(task, 20, seed=1)
    assert list(onnx_agent.select_actions(states)) == list(torch_agent.select_actions(states))
    assert main(["eval", "connect_four_v3", f"alphazero:{archive}", "--games", "2", "--evaluator", "onnx",
                 "--opponent", "random"]) == 0
    assert "W/D/L" in capsys.readouterr().out
