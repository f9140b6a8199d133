"""Distributed self-play on Ray: a real local Ray instance with 2 CPUs, real actors, real tic-tac-toe.

The Ray tests skip when Ray is not installed; the test that local training never imports Ray
always runs. ``pytest -m slow tests/test_distributed.py`` trains tic-tac-toe to perfect play
with 2 Ray workers (several minutes).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from az_pz.distributed import DistributedConfig
from az_pz.distributed.samples import pack_positions, unpack_positions
from learning_helpers import ToyTask, tiny_config

ROOT = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------- without Ray


def test_local_training_never_imports_ray(tmp_path):
    """The CLI, the distributed config and a local training iteration leave ``ray`` unimported."""
    code = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(ROOT / 'tests')!r})
        from learning_helpers import tiny_config
        from az_pz.cli.train import _head_parser
        from az_pz.distributed import DistributedConfig, config_from_cli, distribute
        from az_pz.train import Trainer
        head, rest = _head_parser().parse_known_args(["tictactoe_v3", "--workers", "3"])
        assert config_from_cli(head) == DistributedConfig(backend="local", workers=3), config_from_cli(head)
        trainer = distribute(Trainer(tiny_config(train__iterations=1), run_dir={str(tmp_path / 'run')!r},
                                     progress=False, tensorboard=False), config_from_cli(head))
        trainer.learn()
        assert trainer.iteration == 1
        print("ray imported:", "ray" in sys.modules)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "ray imported: False" in out.stdout


def test_config_checks_its_fields():
    assert DistributedConfig().backend == "local"
    for bad in ({"backend": "mpi"}, {"workers": 0}, {"max_weight_lag": -1}, {"games_per_task": 0},
                {"tasks_in_flight": 0}, {"num_cpus": 0}):
        with pytest.raises(ValueError, match="distributed"):
            DistributedConfig(**bad)


def test_packed_positions_round_trip_two_phases(rng):
    """Phases with different observation shapes and action counts survive packing in order."""
    task = ToyTask()
    positions = []
    for i in range(7):
        phase = int(rng.integers(2))
        shape, actions = task.spec.phases[phase].observation_shape, task.spec.phases[phase].num_actions
        positions.append((rng.random(shape, np.float32), phase, rng.dirichlet(np.ones(actions)).astype(np.float32),
                          rng.uniform(-1, 1, 3).astype(np.float32), rng.random(actions) < 0.7))
    arrays = pack_positions(positions, task.spec)
    assert arrays["policies"].shape == (7, task.spec.max_actions)
    back = unpack_positions(arrays, task.spec)
    assert len(back) == len(positions)
    for (o1, p1, pi1, v1, m1), (o2, p2, pi2, v2, m2) in zip(positions, back):
        assert p1 == p2
        np.testing.assert_array_equal(o1, o2)
        np.testing.assert_array_equal(pi1, pi2)
        np.testing.assert_array_equal(v1, v2)
        np.testing.assert_array_equal(m1, m2)
    assert unpack_positions(pack_positions([], task.spec), task.spec) == []


# --------------------------------------------------------------------------- on a local Ray instance


@pytest.fixture(scope="module")
def ray_instance():
    ray = pytest.importorskip("ray")
    if not ray.is_initialized():
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


def _distributed_trainer(run_dir, iterations: int, tensorboard: bool = True):
    from az_pz.distributed import distribute
    from az_pz.train import Trainer

    config = tiny_config(train__iterations=iterations, train__keep_checkpoints=20,
                         selfplay__games_per_iteration=8, train__min_replay_size=16)
    trainer = Trainer(config, run_dir=run_dir, progress=False, tensorboard=tensorboard)
    return distribute(trainer, DistributedConfig(backend="ray", workers=2, games_per_task=4))


def _metrics(run_dir) -> list[dict]:
    return [json.loads(line) for line in (Path(run_dir) / "metrics.jsonl").read_text().splitlines()]


def test_distributed_training_writes_the_same_run_directory(ray_instance, tmp_path):
    from az_pz.checkpoint import latest_checkpoint, read_checkpoint_state
    from az_pz.distributed.coordinator import RaySelfPlay

    run = tmp_path / "run"
    trainer = _distributed_trainer(run, iterations=2)
    assert isinstance(trainer.selfplay, RaySelfPlay)
    trainer.learn()
    assert trainer.selfplay.actors == []  # learn() ends by stopping the actors
    saved = json.loads((run / "config.json").read_text())["config"]["selfplay"]
    assert (saved["backend"], saved["workers"]) == ("ray", 2)  # the shorthand is saved with the run
    assert latest_checkpoint(run).name == "iter_0002"
    state = read_checkpoint_state(latest_checkpoint(run), trainer.spec)
    assert state["iteration"] == 2 and state["counters"]["games"] >= 16
    metrics = _metrics(run)
    assert [m["iteration"] for m in metrics] == [1, 2]
    for m in metrics:
        assert m["selfplay/games"] >= 8
        assert m["distributed/workers"] == 2
        assert 0 <= m["distributed/weight_lag"] <= m["distributed/weight_lag_max"] <= 1
        assert m["distributed/weight_version"] == m["iteration"] - 1
        assert m["selfplay/games_per_s"] > 0
        assert m["distributed/games_per_s_worker0"] + m["distributed/games_per_s_worker1"] > 0
    assert metrics[-1]["replay/size"] > metrics[0]["replay/size"]
    assert any(p.name.startswith("events") for p in (run / "tensorboard").iterdir())
    assert trainer.replay.total_added == sum(m["selfplay/samples"] for m in metrics)


def test_killed_actor_is_restarted_and_no_checkpoint_is_lost(ray_instance, tmp_path):
    from az_pz.checkpoint import latest_checkpoint, read_checkpoint_state
    from az_pz.train import Trainer

    run = tmp_path / "run"
    trainer = _distributed_trainer(run, iterations=3, tensorboard=False)
    selfplay = trainer.selfplay
    play = selfplay.play
    killed = []

    def play_then_kill(num_games, rng, on_game=None):
        if trainer.iteration == 1 and not killed:  # its calls are queued or running: killed mid-game
            ray_instance.kill(selfplay.actors[0])
            killed.append(selfplay.actors[0])
        return play(num_games, rng, on_game)

    selfplay.play = play_then_kill
    trainer.learn()
    assert killed
    metrics = _metrics(run)
    assert [m["iteration"] for m in metrics] == [1, 2, 3]
    assert metrics[-1]["distributed/restarts"] >= 1
    checkpoints = sorted(p.name for p in (run / "checkpoints").iterdir() if p.name.startswith("iter_"))
    assert checkpoints == ["iter_0001", "iter_0002", "iter_0003"]
    for name in checkpoints:  # every one complete and verified
        assert read_checkpoint_state(run / "checkpoints" / name, trainer.spec)["iteration"] == int(name[5:])

    # The checkpoint is the single source of truth: the run goes on from it anywhere, here in-process.
    added = trainer.replay.total_added
    resumed = Trainer.resume(run, progress=False, tensorboard=False, train__iterations=4,
                             selfplay__backend="inline", selfplay__workers=0)
    assert resumed.iteration == 3 and resumed.replay.total_added == added
    resumed.learn()
    assert latest_checkpoint(run).name == "iter_0004"
    assert "distributed/workers" not in _metrics(run)[-1]


@pytest.mark.slow
def test_tictactoe_preset_reaches_perfect_play_with_two_ray_workers(ray_instance, tmp_path):
    """The same perfect-play check as the local trainer (examples/check_tictactoe.py)."""
    from az_pz.config import preset
    from az_pz.distributed import distribute
    from az_pz.train import Trainer

    run = tmp_path / "ttt"
    trainer = distribute(Trainer(preset("tictactoe_v3", device="cpu"), run_dir=run, progress=False),
                         DistributedConfig(backend="ray", workers=2))
    trainer.learn()
    check = subprocess.run([sys.executable, str(ROOT / "examples" / "check_tictactoe.py"), str(run)],
                           capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "PERFECT PLAY" in check.stdout
