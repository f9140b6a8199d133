"""Board symmetries confirmed by replay (az_pz.symmetry), and a random one for each position drawn for training."""

from __future__ import annotations

import numpy as np
import pytest

from az_pz.config import RunConfig, SelfPlayConfig, TrainConfig, preset
from az_pz.games import make_task
from az_pz.replay import ReplayBuffer
from az_pz.symmetry import discover_symmetries, task_symmetries
from az_pz.testing import random_game_states
from az_pz.training.learner import random_symmetry


def _pairs_as_set(pairs) -> set[bytes]:
    return {np.asarray(o, np.float32).tobytes() + np.asarray(p, np.float32).tobytes() for o, p in pairs}


@pytest.mark.parametrize("game, count", [("tictactoe_v3", 8), ("connect_four_v3", 2)])
def test_replay_finds_exactly_the_symmetries_the_classic_games_declare(game: str, count: int) -> None:
    task = make_task(game)
    found = discover_symmetries(task)
    assert len(found.transforms) == count and found.names[0] == "identity"
    for state in random_game_states(task, 25, seed=3):
        observation = np.asarray(task.observe(state), np.float32)
        mask = np.asarray(task.legal_mask(state), bool)
        policy = np.random.default_rng(0).random(len(mask)).astype(np.float32) * mask
        policy /= policy.sum()
        # the hand-written symmetries of the game's own task and the ones replay confirmed give the same copies
        assert _pairs_as_set(found.symmetries(observation, policy, 0)) == _pairs_as_set(
            task.symmetries(observation, policy, 0))


def test_task_symmetries_prefers_the_tasks_own() -> None:
    task = make_task("connect_four_v3")
    assert task_symmetries(task) is task


def _draw_positions(task, count: int) -> ReplayBuffer:
    buffer = ReplayBuffer(task.spec, count)
    rng = np.random.default_rng(1)
    for state in random_game_states(task, count, seed=2):
        mask = np.asarray(task.legal_mask(state), bool)
        policy = rng.random(len(mask)).astype(np.float32) * mask
        buffer.add(np.asarray(task.observe(state), np.float32), 0, policy / policy.sum(),
                   rng.random(task.spec.num_players).astype(np.float32), mask)
    return buffer


def test_a_random_symmetry_turns_each_drawn_position_as_a_whole() -> None:
    task = make_task("tictactoe_v3")
    found = discover_symmetries(task)
    batch = _draw_positions(task, 60).sample(256, np.random.default_rng(0))[0]
    turned = random_symmetry(batch, found, np.random.default_rng(5))
    assert np.array_equal(turned.values, batch.values)  # a turned board is worth the same
    picked = set()
    for row in range(len(batch.values)):
        copies = [(o, p, t.policies(batch.masks[row])) for t, (o, p) in
                  zip(found.transforms, found.symmetries(batch.observations[row], batch.policies[row], 0))]
        matches = [i for i, (o, p, m) in enumerate(copies) if np.array_equal(o, turned.observations[row])
                   and np.array_equal(p, turned.policies[row]) and np.array_equal(m, turned.masks[row])]
        assert matches, f"row {row} is none of its position's symmetric copies"
        picked.add(matches[0])
        assert not np.any(turned.policies[row][~turned.masks[row]])  # policy mass only on legal moves
    assert len(picked) >= 6  # all eight drawn over 256 rows, up to boards the same under several turns


def test_random_symmetry_and_stored_copies_are_one_choice() -> None:
    with pytest.raises(ValueError, match="set one to false"):
        RunConfig(game="tictactoe_v3", train=TrainConfig(random_symmetry=True),
                  selfplay=SelfPlayConfig(symmetry_augmentation=True))


openspiel = pytest.mark.skipif(not all(__import__("importlib").util.find_spec(m) for m in ("pyspiel", "shimmy")),
                               reason="OpenSpiel's games need az_pz[openspiel]")


@openspiel
def test_openspiel_games_get_the_symmetries_their_rules_keep() -> None:
    othello = discover_symmetries(make_task("openspiel:othello"))
    # the start position is not mirror symmetric (the centre's colours swap), so only these four keep it
    assert othello.names == ["identity", "rot180", "transpose", "antitranspose"]
    hex5 = discover_symmetries(make_task("openspiel:hex", board_size=5))
    assert hex5.names == ["identity", "rot180"]
    # a half turn swaps the planes of stones joined to the north and south (and west and east) edges
    assert not np.array_equal(hex5.transforms[1].channels, np.arange(len(hex5.transforms[1].channels)))
    assert discover_symmetries(make_task("openspiel:connect_four", to_play_plane=True)).names == [
        "identity", "flip_columns"]
    # breakthrough's actions are moves, not cells: no cell map to try, so nothing is assumed
    assert discover_symmetries(make_task("openspiel:breakthrough")).names == ["identity"]


@openspiel
def test_the_generic_preset_turns_positions_instead_of_storing_copies() -> None:
    config = preset("openspiel:othello")
    assert config.train.random_symmetry and not config.selfplay.symmetry_augmentation


def test_a_trainer_draws_random_symmetries_found_by_replay(tmp_path) -> None:
    from pettingzoo.classic import tictactoe_v3

    from az_pz.adapters.pettingzoo import PettingZooTask
    from az_pz.train import Trainer
    from learning_helpers import tiny_config

    # tic-tac-toe through the generic PettingZoo adapter: no declared symmetries, all 8 found by replay
    task = PettingZooTask(tictactoe_v3.env)
    assert not hasattr(task, "symmetries")
    config = tiny_config(train__random_symmetry=True, selfplay__symmetry_augmentation=False, train__iterations=1)
    trainer = Trainer(config, run_dir=tmp_path / "run", task=task, progress=False, tensorboard=False)
    assert len(trainer.learner.symmetries.transforms) == 8
    history = trainer.learn()
    assert history[-1]["train/steps"] > 0 and np.isfinite(history[-1]["loss/policy"])
