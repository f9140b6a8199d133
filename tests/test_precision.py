"""Self-play's number format (az_pz.precision): chosen as asked, measured for ``fastest``, honoured by workers."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from az_pz.config import config_to_json, preset, replace_nested
from az_pz.games import make_task
from az_pz.network import AlphaZeroNetwork, NetworkEvaluator
from az_pz.precision import cpu_has_native_bf16, resolve_precision, resolve_train_precision
from az_pz.selfplay.jobs import build_worker
from az_pz.testing import random_game_states
from az_pz.train import Trainer
from az_pz.training.learner import Learner, training_threads
from learning_helpers import tiny_config

CPU = torch.device("cpu")


def _connect_four_network() -> tuple[object, AlphaZeroNetwork]:
    task = make_task("connect_four_v3")
    return task, AlphaZeroNetwork(task.spec, preset("connect_four_v3").network)


def test_precision_as_asked_and_auto_keeps_a_cpu_in_float32() -> None:
    assert resolve_precision("auto", CPU).name == "float32"
    assert resolve_precision("float32", CPU).name == "float32"
    assert resolve_precision("bfloat16", CPU).bf16
    assert resolve_precision("auto", torch.device("cuda")).name == "bfloat16"  # resolving needs no GPU
    with pytest.raises(ValueError, match="auto, float32, bfloat16, fastest"):
        resolve_precision("half", CPU)


def test_fastest_times_the_network_where_the_cpu_has_bf16() -> None:
    task, network = _connect_four_network()
    chosen = resolve_precision("fastest", CPU, network, task.spec.phases[0].observation_shape, batch=64)
    if cpu_has_native_bf16():
        assert "x float32's speed at batch 64" in chosen.reason  # measured, whichever it picked
    else:
        assert chosen.name == "float32" and "no native bf16" in chosen.reason
    assert network.training  # the timing leaves the network's mode as it found it


def test_bf16_evaluations_stay_close_to_float32() -> None:
    task, network = _connect_four_network()
    states = random_game_states(task, 64, seed=4)
    full = NetworkEvaluator(network, "cpu").evaluate(task, states)
    half = NetworkEvaluator(network, "cpu", bf16=True).evaluate(task, states)
    assert half.prior_logits.dtype == np.float32 and half.values.dtype == np.float32
    assert np.abs(full.values - half.values).max() < 0.02  # the value head runs in float32 under autocast
    assert np.abs(full.prior_logits - half.prior_logits).max() < 0.1
    assert not np.array_equal(full.prior_logits, half.prior_logits)  # bf16 did run


def test_workers_and_the_trainer_use_the_configured_precision(tmp_path) -> None:
    config = tiny_config(selfplay__precision="bfloat16")
    _, _, selfplay = build_worker(config_to_json(config), "cpu")
    assert selfplay.evaluator.bf16 is True
    trainer = Trainer(config, run_dir=tmp_path / "run", progress=False, tensorboard=False)
    assert trainer.evaluator.bf16 is True and trainer.learner.precision.reason == "as set"
    trainer.learn(1)  # self-play, a step and a checkpoint in bf16 self-play
    assert trainer.iteration == 1


def test_an_unknown_precision_is_refused_in_the_config() -> None:
    with pytest.raises(ValueError, match="selfplay.precision"):
        tiny_config(selfplay__precision="fp8")


def test_the_connect_four_preset_times_bf16_at_start_up() -> None:
    assert preset("connect_four_v3").selfplay.precision == "fastest"
    assert preset("connect_four_v3", gpu=True).selfplay.precision in ("auto", "fastest")  # bf16 on CUDA either way


def test_training_steps_in_bf16_keep_float32_weights_and_learn(tmp_path) -> None:
    config = tiny_config(train__precision="bfloat16", train__sample_reuse=4.0)
    trainer = Trainer(config, run_dir=tmp_path / "run", progress=False, tensorboard=False)
    assert trainer.learner.train_precision.bf16 and trainer.learner.train_precision.reason == "as set"
    before = [p.detach().clone() for p in trainer.network.parameters()]
    trainer.learn(1)
    after = list(trainer.network.parameters())
    assert all(p.dtype == torch.float32 for p in after)  # autocast: float32 master weights
    assert any(not torch.equal(a, b) for a, b in zip(before, after))
    assert np.isfinite(trainer.history[-1]["loss/total"])


def test_fastest_training_precision_times_a_scratch_network() -> None:
    task = make_task("connect_four_v3")
    config = preset("connect_four_v3")
    assert config.train.precision == "fastest"
    torch.manual_seed(0)
    timed = Learner(task.spec, config, CPU)
    if cpu_has_native_bf16():
        assert "for a training step" in timed.train_precision.reason  # measured, whichever it picked
    else:
        assert timed.train_precision.name == "float32"
    torch.manual_seed(0)
    plain = Learner(task.spec, replace_nested(config, train__precision="float32"), CPU)
    for a, b in zip(timed.network.parameters(), plain.network.parameters()):
        assert torch.equal(a, b)  # the timing stepped a scratch copy, never the run's network
    assert resolve_train_precision("auto", torch.device("cuda")).bf16  # resolving needs no GPU
    with pytest.raises(ValueError, match="train.precision"):
        resolve_train_precision("half", CPU)
    with pytest.raises(ValueError, match="train.precision"):
        tiny_config(train__precision="fp8")


def test_training_threads_are_set_for_the_steps_and_given_back() -> None:
    before = torch.get_num_threads()
    with training_threads(tiny_config(train__num_threads=before + 1)):
        assert torch.get_num_threads() == before + 1
    assert torch.get_num_threads() == before
    with training_threads(tiny_config()):  # 0: the run's own threads, untouched
        assert torch.get_num_threads() == before
