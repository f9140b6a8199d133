"""``az-pz bench`` on tiny budgets: every section runs and reports sane, named figures (no timing claims)."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
import torch

from az_pz.bench.sections import describe_network
from az_pz.bench import BenchConfig, format_report, run_benchmark
from az_pz.config import preset
from az_pz.inference import inference_copy, inference_module

TINY = dict(seconds=0.01, batch_sizes=(1, 8), concurrent_games=(2,), num_simulations=4, selfplay_games=2,
            train_steps=1, train_batch_size=8, env_seconds=0.01, threads=1)


@pytest.fixture(scope="module")
def report():
    return run_benchmark(BenchConfig.quick(**TINY))


def test_report_sections_and_values(report):
    expected = describe_network(preset("connect_four_v3").network)
    assert re.fullmatch(r"\d+ residual blocks x \d+ channels", expected)
    assert report["reference_network"]["description"] == expected
    assert report["machine"]["cores"] >= 1 and report["machine"]["versions"]["torch"]
    assert report["env"]["fast_steps_per_s"] > 0 and report["env"]["env_steps_per_s"] > 0
    assert report["env"]["copy_us"] > 0
    assert [r["batch"] for r in report["network"]] == [1, 8]
    assert all(r["evals_per_s"] > 0 and r["plain_evals_per_s"] > 0 for r in report["network"])
    baseline, batched = report["search"]
    assert (baseline["games"], baseline["leaves_per_tree"], baseline["speedup"]) == (1, 1, 1.0)
    assert baseline["mean_batch"] == pytest.approx(1.0)
    assert batched["games"] == 2 and batched["sims_per_s"] > 0 and batched["mean_batch"] > 1
    for row in (baseline, batched):
        assert 0 < row["forward_share"] <= 1 and row["efficiency"] > 0
    selfplay = report["selfplay"]
    assert selfplay["games"] == 2 and selfplay["games_per_hour"] > 0 and 0 < selfplay["forward_share"] <= 1
    assert report["training"]["samples_per_s"] > 0


def test_report_is_json_and_prints(report):
    text = format_report(report)
    assert f"reference network: {report['reference_network']['description']}" in text
    assert "one leaf at a time" in text
    assert json.loads(json.dumps(report))["config"]["num_simulations"] == 4


def test_cli_writes_json(tmp_path, capsys):
    from az_pz.cli import main

    path = tmp_path / "bench.json"
    argv = ["bench", "--quick", "--threads", "1", "--seconds", "0.01", "--simulations", "2", "--games", "2",
            "--selfplay-games", "1", "--json", str(path)]
    assert main(argv) == 0
    assert json.loads(path.read_text())["search"][0]["leaves_per_tree"] == 1
    assert "self-play" in capsys.readouterr().out


def test_inference_copy_matches_and_follows_weight_updates():
    from az_pz.config import preset
    from az_pz.games import make_task
    from az_pz.network import AlphaZeroNetwork

    task = make_task("connect_four_v3", backend="fast")
    network = AlphaZeroNetwork(task.spec, preset("connect_four_v3").network)
    with torch.no_grad():
        network(torch.rand(16, 2, 6, 7))  # training-mode pass: non-trivial batch-norm statistics
    network.eval()
    x = torch.rand(5, 2, 6, 7)
    with torch.inference_mode():
        for a, b in zip(network(x), inference_copy(network)(x)):
            np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-5)
    first = inference_module(network)
    assert inference_module(network) is first
    with torch.no_grad():
        next(network.parameters()).add_(0.5)
    assert inference_module(network) is not first
