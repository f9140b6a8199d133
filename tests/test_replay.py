import numpy as np
import pytest

from az_pz.games import make_task
from az_pz.replay import ReplayBuffer
from learning_helpers import ToyTask


def _fill(buffer, task, count, rng):
    for i in range(count):
        phase = i % task.spec.num_phases
        spec = task.spec.phases[phase]
        policy = rng.dirichlet(np.ones(spec.num_actions)).astype(np.float32)
        buffer.add(np.full(spec.observation_shape, i, np.float32), phase, policy,
                   np.full(task.spec.num_players, i / 100, np.float32), np.ones(spec.num_actions, bool))


def test_ring_overwrites_the_oldest(rng):
    task = ToyTask()
    buffer = ReplayBuffer(task.spec, capacity=10)
    _fill(buffer, task, 25, rng)
    assert len(buffer) == 10 and buffer.total_added == 25
    kept = sorted(round(float(v) * 100) for v in buffer.values[:, 0])
    assert kept == list(range(15, 25))


def test_sample_groups_by_phase_with_phase_shapes(rng):
    task = ToyTask()
    buffer = ReplayBuffer(task.spec, capacity=50)
    _fill(buffer, task, 30, rng)
    batches = buffer.sample(64, rng)
    assert sum(len(b.values) for b in batches) == 64
    for batch in batches:
        spec = task.spec.phases[batch.phase]
        assert batch.observations.shape[1:] == spec.observation_shape
        assert batch.policies.shape[1] == spec.num_actions == batch.masks.shape[1]
        # observation i was filled with i; its value target with i/100: rows stay aligned
        np.testing.assert_allclose(batch.observations[:, 0, 0, 0] / 100, batch.values[:, 0], atol=1e-6)


def test_save_load_round_trip_continues_sampling_identically(tmp_path, rng):
    task = ToyTask()
    buffer = ReplayBuffer(task.spec, capacity=16)
    _fill(buffer, task, 21, rng)
    buffer.save(tmp_path / "replay.npz")
    loaded = ReplayBuffer.load(tmp_path / "replay.npz", task.spec)
    assert (len(loaded), loaded.position, loaded.total_added) == (16, buffer.position, 21)
    a = buffer.sample(8, np.random.default_rng(1))
    b = loaded.sample(8, np.random.default_rng(1))
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x.observations, y.observations)
        np.testing.assert_array_equal(x.policies, y.policies)
    smaller = ReplayBuffer.load(tmp_path / "replay.npz", task.spec, capacity=4)
    assert sorted(round(float(v) * 100) for v in smaller.values[:4, 0]) == [17, 18, 19, 20]


def test_load_refuses_other_games_and_foreign_files(tmp_path, rng):
    task = ToyTask()
    buffer = ReplayBuffer(task.spec, capacity=8)
    _fill(buffer, task, 3, rng)
    buffer.save(tmp_path / "replay.npz")
    with pytest.raises(ValueError, match="another game"):
        ReplayBuffer.load(tmp_path / "replay.npz", make_task("tictactoe_v3").spec)
    np.savez(tmp_path / "other.npz", x=np.zeros(3))
    with pytest.raises(ValueError, match="not an az_pz replay"):
        ReplayBuffer.load(tmp_path / "other.npz", task.spec)
    data = (tmp_path / "replay.npz").read_bytes()
    (tmp_path / "cut.npz").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="truncated"):
        ReplayBuffer.load(tmp_path / "cut.npz", task.spec)
