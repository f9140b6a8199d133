import numpy as np
import pytest
import torch

from az_pz.config import NetworkConfig
from az_pz.evaluators import Evaluation
from az_pz.network import AlphaZeroNetwork, NetworkEvaluator, resolve_device
from az_pz.task import rotate_to_seats
from learning_helpers import ToyTask


@pytest.mark.parametrize("kind", ["resnet", "mlp"])
def test_per_phase_stems_and_heads_accept_differing_shapes(kind):
    task = ToyTask()
    torch.manual_seed(0)
    net = AlphaZeroNetwork(task.spec, NetworkConfig(kind=kind, num_blocks=1, channels=8, mlp_hidden=16,
                                                    value_hidden=8)).eval()
    for phase, spec in enumerate(task.spec.phases):
        logits, values = net(torch.randn(5, *spec.observation_shape), phase)
        assert logits.shape == (5, spec.num_actions)
        assert values.shape == (5, task.spec.num_players)
        assert torch.all(values.abs() <= 1)


def test_evaluator_pads_logits_and_rotates_values_to_seat_order():
    task = ToyTask()
    torch.manual_seed(0)
    net = AlphaZeroNetwork(task.spec, NetworkConfig(kind="mlp", num_blocks=1, mlp_hidden=16, value_hidden=8))
    evaluator = NetworkEvaluator(net, "cpu")
    states = [task.initial_state()]
    for action in (1, 2, 0, 3):
        states.append(task.step(states[-1], action)[0])
    result = evaluator.evaluate(task, states)
    assert isinstance(result, Evaluation)
    assert result.prior_logits.shape == (5, task.spec.max_actions)
    assert result.values.shape == (5, 3)
    for i, state in enumerate(states):
        phase = task.phase(state)
        logits, values = evaluator.forward(task.observe(state)[None], phase)
        actions = task.spec.phases[phase].num_actions
        np.testing.assert_allclose(result.prior_logits[i, :actions], logits[0], atol=1e-5)
        assert np.all(result.prior_logits[i, actions:] == 0)
        np.testing.assert_allclose(result.values[i], rotate_to_seats(values[0], task.to_play(state)), atol=1e-5)
    assert evaluator.positions == 5


def test_evaluator_leaves_training_mode_alone():
    task = ToyTask()
    net = AlphaZeroNetwork(task.spec, NetworkConfig(kind="resnet", num_blocks=1, channels=4)).train()
    NetworkEvaluator(net, "cpu").evaluate(task, [task.initial_state()])
    assert net.training


def test_raw_forward_of_a_network_in_training_mode_is_an_eval_forward():
    task = ToyTask()
    torch.manual_seed(0)
    net = AlphaZeroNetwork(task.spec, NetworkConfig(kind="resnet", num_blocks=1, channels=4)).train()
    observation = task.observe(task.initial_state())[None]
    before = {k: v.clone() for k, v in net.state_dict().items()}
    logits, values = NetworkEvaluator(net, "cpu").forward(observation, 0)
    assert net.training
    for name, tensor in net.state_dict().items():  # batch norm running statistics untouched
        assert torch.equal(tensor, before[name]), name
    net.eval()
    with torch.no_grad():
        expected_logits, expected_values = net(torch.from_numpy(observation), 0)
    np.testing.assert_allclose(logits, expected_logits.numpy(), atol=1e-5)
    np.testing.assert_allclose(values, expected_values.numpy(), atol=1e-5)


@pytest.mark.parametrize("kind", ["resnet", "mlp"])
def test_value_head_stays_float32_under_bf16_autocast(kind):
    task = ToyTask()
    torch.manual_seed(0)
    net = AlphaZeroNetwork(task.spec, NetworkConfig(kind=kind, num_blocks=1, channels=4, mlp_hidden=16)).eval()
    observation = torch.from_numpy(task.observe(task.initial_state())[None])
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        logits, values = net(observation, 0)
    assert logits.dtype == torch.bfloat16  # the rest of the network keeps mixed precision
    assert values.dtype == torch.float32


def test_same_seed_same_weights():
    task = ToyTask()
    config = NetworkConfig(kind="resnet", num_blocks=1, channels=4)
    torch.manual_seed(3)
    a = AlphaZeroNetwork(task.spec, config).state_dict()
    torch.manual_seed(3)
    b = AlphaZeroNetwork(task.spec, config).state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_device_resolution():
    assert resolve_device("cpu").type == "cpu"
    assert resolve_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")
    if not torch.cuda.is_available():
        with pytest.raises(RuntimeError, match="--device cpu"):
            resolve_device("cuda")


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_bf16_evaluation_matches_cpu():
    task = ToyTask()
    torch.manual_seed(0)
    net = AlphaZeroNetwork(task.spec, NetworkConfig(kind="resnet", num_blocks=2, channels=16))
    states = [task.initial_state(), task.step(task.initial_state(), 1)[0]]
    cpu = NetworkEvaluator(net, "cpu").evaluate(task, states)
    gpu = NetworkEvaluator(net, "cuda").evaluate(task, states)
    np.testing.assert_allclose(cpu.values, gpu.values, atol=0.05)
    np.testing.assert_allclose(cpu.prior_logits, gpu.prior_logits, atol=0.1)
