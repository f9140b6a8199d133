"""Spatial policy heads: the action layout of a PhaseSpec, the head it selects, inference and checkpoints."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest
import torch

from az_pz.config import NetworkConfig
from az_pz.games import make_task
from az_pz.inference import InferenceOptions, inference_copy
from az_pz.network import AlphaZeroNetwork, NetworkEvaluator
from az_pz.task import PhaseSpec, TaskSpec
from learning_helpers import ToyTask

SMALL = NetworkConfig(num_blocks=1, channels=16, policy_channels=8, value_hidden=8)

# Two phases: a layout with every axis moved and one reversed, and a phase with none (linear head).
MIXED = TaskSpec("mixed_v0", 2, (PhaseSpec((3, 2, 3), 12, "spatial", policy_planes=2,
                                           policy_layout=("col", "-row", "plane")),
                                 PhaseSpec((3, 2, 3), 5, "flat")))


def _trained_statistics(network: AlphaZeroNetwork, phases) -> AlphaZeroNetwork:
    """A training-mode pass per phase so batch norm has non-trivial running statistics, then eval mode."""
    torch.manual_seed(1)
    with torch.no_grad():
        for phase, spec in enumerate(phases):
            network(torch.rand(16, *spec.observation_shape), phase)
    return network.eval()


# --- the spec ---------------------------------------------------------------------------------


def test_layout_index_follows_the_mixed_radix_numbering():
    phase = MIXED.phases[0]
    index = phase.policy_index()
    assert sorted(index) == list(range(12))  # a permutation
    planes, height, width = 2, 2, 3
    for plane in range(planes):
        for row in range(height):
            for col in range(width):
                action = (col * height + (height - 1 - row)) * planes + plane
                assert index[action] == (plane * height + row) * width + col
    np.testing.assert_array_equal(PhaseSpec((1, 2, 3), 12, policy_planes=2).policy_index(), np.arange(12))


def test_to_json_is_unchanged_without_a_layout_and_carries_it_with_one():
    assert ToyTask().spec.to_json()["phases"][0] == {"observation_shape": [1, 2, 2], "num_actions": 3,
                                                      "name": "small"}
    assert MIXED.to_json()["phases"][0]["policy_layout"] == ["col", "-row", "plane"]
    assert MIXED.to_json()["phases"][0]["policy_planes"] == 2
    assert "policy_planes" not in MIXED.to_json()["phases"][1]


@pytest.mark.parametrize("kwargs, message", [
    (dict(policy_planes=3), "must equal num_actions"),
    (dict(policy_planes=2, policy_layout=("plane", "row")), "policy_layout"),
    (dict(policy_planes=2, policy_layout=("plane", "row", "row")), "policy_layout"),
    (dict(policy_planes=2, policy_layout=("plane", "row", "--col")), "policy_layout"),
    (dict(policy_planes=-1), ">= 0"),
])
def test_invalid_layouts_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        PhaseSpec((3, 2, 3), 12, **kwargs)


# --- the head ---------------------------------------------------------------------------------


def test_auto_picks_spatial_where_declared_and_logits_come_from_the_layout():
    network = _trained_statistics(AlphaZeroNetwork(MIXED, SMALL), MIXED.phases)
    assert network.describe()["policy_heads"] == ["spatial", "linear"]
    assert not any("index" in name for name in network.state_dict())  # rebuilt from the spec, never stored
    x = torch.rand(4, 3, 2, 3)
    with torch.no_grad():
        logits, _ = network(x, 0)
        planes = network.policy_heads[0].conv(network.trunk(network.stems[0](x)))  # [B, P, H, W]
        assert network(x, 1)[0].shape == (4, 5)
    assert logits.shape == (4, 12)
    for plane in range(2):
        for row in range(2):
            for col in range(3):
                action = (col * 2 + (1 - row)) * 2 + plane
                torch.testing.assert_close(logits[:, action], planes[:, plane, row, col])


def test_policy_head_choice_and_its_errors():
    chess = make_task("chess_v6").spec
    linear = AlphaZeroNetwork(chess, NetworkConfig(num_blocks=0, channels=8, policy_head="linear"))
    assert linear.describe()["policy_heads"] == ["linear"]
    assert AlphaZeroNetwork(chess, NetworkConfig(num_blocks=0, channels=8, policy_head="spatial")
                            ).describe()["policy_heads"] == ["spatial"]
    with pytest.raises(ValueError, match=r"phase 1 \('flat'\) declares no spatial action layout"):
        AlphaZeroNetwork(MIXED, NetworkConfig(num_blocks=0, channels=8, policy_head="spatial"))
    with pytest.raises(ValueError, match="policy_head must be"):
        NetworkConfig(policy_head="conv")
    with pytest.raises(ValueError, match="needs network.kind='resnet'"):
        NetworkConfig(kind="mlp", policy_head="spatial")
    mlp = AlphaZeroNetwork(chess, NetworkConfig(kind="mlp", num_blocks=0, mlp_hidden=8))  # auto: linear
    assert mlp.describe()["policy_heads"] == ["linear"]


def test_chess_head_has_a_few_thousand_weights_instead_of_millions():
    chess = make_task("chess_v6").spec
    config = NetworkConfig(num_blocks=1, channels=16, policy_channels=8)
    sizes = {head: sum(p.numel() for p in AlphaZeroNetwork(chess, NetworkConfig(
        **{**config.__dict__, "policy_head": head})).policy_heads.parameters()) for head in ("linear", "spatial")}
    assert sizes["spatial"] == 16 * 8 * 9 + 2 * 8 + 8 * 73 + 73
    assert sizes["linear"] > 100 * sizes["spatial"]


# --- inference copy and evaluator -------------------------------------------------------------


@pytest.mark.parametrize("options", [InferenceOptions(), InferenceOptions(channels_last=True)])
def test_folded_inference_copy_matches_the_training_network(options):
    task = make_task("chess_v6")
    network = _trained_statistics(AlphaZeroNetwork(task.spec, SMALL), task.spec.phases)
    folded = inference_copy(network, options)
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in folded.modules())
    x = torch.rand(5, 111, 8, 8)
    with torch.inference_mode():
        for a, b in zip(network(x), folded(x)):
            torch.testing.assert_close(a, b, atol=1e-5, rtol=1e-5)
    evaluator = NetworkEvaluator(network, "cpu")  # the search's path: folded copy, numpy in and out
    state = task.initial_state()
    logits, _ = evaluator.forward(task.observe(state)[None], 0)
    with torch.inference_mode():
        expected = network(torch.from_numpy(task.observe(state)[None]))[0].numpy()
    np.testing.assert_allclose(logits, expected, atol=1e-5)


# --- checkpoints ------------------------------------------------------------------------------


def test_agent_zip_and_model_file_round_trip_the_spatial_head(tmp_path):
    from az_pz import checkpoint as ckpt
    from az_pz.agents.alphazero import AlphaZeroAgent
    from az_pz.search import SearchConfig

    task = make_task("chess_v6")
    network = _trained_statistics(AlphaZeroNetwork(task.spec, SMALL), task.spec.phases)
    path = AlphaZeroAgent(task, network, search=SearchConfig(num_simulations=2), device="cpu").save(tmp_path / "a")
    loaded = AlphaZeroAgent.load(path, device="cpu")
    assert loaded.network.config.policy_head == "auto"
    assert loaded.network.describe() == network.describe()
    x = torch.rand(3, 111, 8, 8)
    with torch.inference_mode():
        for a, b in zip(network(x), loaded.network(x)):
            torch.testing.assert_close(a, b)
    assert loaded.task.legal_mask(task.initial_state())[loaded.select_action(task.initial_state())]

    data = ckpt.model_to_bytes(network, task.spec, {})
    linear = AlphaZeroNetwork(task.spec, NetworkConfig(**{**SMALL.__dict__, "policy_head": "linear"}))
    with pytest.raises(ckpt.CheckpointError, match="does not fit this network"):
        ckpt.load_model_bytes(data, linear, task.spec)


def test_a_chess_agent_saved_before_the_layout_loads_with_a_spec_without_it(tmp_path):
    """The recipe docs/chess.md gives for checkpoints made before chess declared its layout."""
    import dataclasses

    from az_pz.agents.alphazero import AlphaZeroAgent
    from az_pz.checkpoint import CheckpointError

    legacy = make_task("chess_v6")
    legacy.spec = dataclasses.replace(legacy.spec, phases=(dataclasses.replace(legacy.spec.phases[0],
                                                                               policy_planes=0),))
    network = AlphaZeroNetwork(legacy.spec, SMALL)  # auto: linear, as every chess network was
    path = AlphaZeroAgent(legacy, network, device="cpu").save(tmp_path / "old")
    assert "policy_planes" not in json.loads(zipfile.ZipFile(path).read("data.json"))["task"]["phases"][0]
    with pytest.raises(CheckpointError, match="was trained for 'chess_v6'"):
        AlphaZeroAgent.load(path, device="cpu")
    assert AlphaZeroAgent.load(path, device="cpu", task=legacy).network.describe()["policy_heads"] == ["linear"]
