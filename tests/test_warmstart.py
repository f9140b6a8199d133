"""Warm starts: recorded games, other runs' networks and replay buffers, random play, dropout."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from az_pz.cli import main as cli
from az_pz.config import NetworkConfig, RunConfig, SelfPlayConfig, TrainConfig, preset
from az_pz.games import make_task
from az_pz.network import AlphaZeroNetwork
from az_pz.records import GameRecord, write_jsonl
from az_pz.train import Trainer
from az_pz.warmstart import RecordStats, init_from, WarmStart, positions_from_records, random_play_positions, warm_start

SEATS = ["player_1", "player_2"]


def _random_records(n: int, seed: int = 0) -> list[GameRecord]:
    task = make_task("tictactoe_v3")
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        state, actions, total = task.initial_state(0), [], np.zeros(2)
        while not task.is_terminal(state):
            action = int(rng.choice(np.flatnonzero(task.legal_mask(state))))
            actions.append(action)
            state, rewards = task.step(state, action)
            total += rewards
        out.append(GameRecord(game="tictactoe_v3", env_kwargs={}, players=["random", "random"], seats=SEATS,
                              actions=actions, rewards=dict(zip(SEATS, map(float, total)))))
    return out


def _tiny(game: str = "tictactoe_v3", **sections) -> RunConfig:
    config = preset(game, train={"iterations": 1, "batch_size": 32, "min_replay_size": 32, "replay_capacity": 4096},
                    selfplay={"games_per_iteration": 4, "concurrent_games": 4, "fast_simulations": 4, "num_workers": 0},
                    search={"num_simulations": 8},
                    eval={"every": 0, "yardstick_every": 0, "yardstick_search_every": 0})
    return config if not sections else RunConfig(**{**config.__dict__, **sections})


def test_positions_take_the_played_move_and_the_result_of_the_mover():
    # X (player_1) plays the top row: 0, 3, 1, 4, 2 -> X wins on its third move.
    record = GameRecord(game="tictactoe_v3", env_kwargs={}, players=["a", "b"], seats=SEATS,
                        actions=[0, 3, 1, 4, 2], rewards={"player_1": 1.0, "player_2": -1.0})
    stats = RecordStats()
    positions = list(positions_from_records(make_task("tictactoe_v3"), [record], stats, symmetries=False))
    assert stats.used == 1 and stats.positions == 5 and len(positions) == 5
    for ply, (_, _, policy, value, mask) in enumerate(positions):
        assert policy.argmax() == record.actions[ply] and policy.sum() == 1.0 and mask[record.actions[ply]]
        assert value[0] == (1.0 if ply % 2 == 0 else -1.0)  # mover-relative: X's moves won, O's lost


def test_illegal_and_foreign_games_are_skipped_and_counted():
    good = _random_records(2)
    illegal = GameRecord(game="tictactoe_v3", env_kwargs={}, players=["a", "b"], seats=SEATS,
                         actions=[4, 4], rewards={"player_1": 0.0, "player_2": 0.0})
    foreign = GameRecord(game="connect_four_v3", env_kwargs={}, players=["a", "b"], seats=["player_0", "player_1"],
                         actions=[3], rewards={"player_0": 0.0, "player_1": 0.0})
    stats = RecordStats()
    positions = list(positions_from_records(make_task("tictactoe_v3"), [good[0], illegal, foreign, good[1]], stats))
    assert (stats.games, stats.used, stats.illegal, stats.other_game) == (4, 2, 1, 1)
    assert len(positions) == stats.samples > 0
    assert stats.problems[0].startswith("game 2 (a vs b): ply 1: action 4 is not legal")
    assert stats.summary().startswith("records: 2 of 4 games used")


def test_pretrain_command_then_resume_mixes_records_into_self_play(tmp_path, capsys):
    records = tmp_path / "games.jsonl"
    write_jsonl(records, _random_records(60))
    with open(records, "a") as handle:
        handle.write('{"format": "az_pz.game/1", "game": "tictactoe_v3"}\n')  # unreadable: skipped, counted
    run = tmp_path / "run"
    code = cli(["pretrain", "tictactoe_v3", str(records), "--run-dir", str(run), "--pretrain-epochs", "0.5",
                "--quiet", "--train.batch-size", "32", "--selfplay.games-per-iteration", "4",
                "--selfplay.concurrent-games", "4", "--search.num-simulations", "8", "--eval.every", "0",
                "--train.min-replay-size", "32", "--iterations", "1"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "records: 60 of 61 games used" in out and "unreadable 1" in out
    assert (run / "checkpoints" / "iter_0000" / "records.npz").is_file()
    summary = json.loads((run / "warm_start.json").read_text())
    assert summary["metrics"]["records/used"] == 60
    assert cli(["train", "--resume", str(run), "--quiet", "--no-final-eval"]) == 0
    metrics = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert metrics[-1]["iteration"] == 1 and metrics[-1]["train/records_fraction"] > 0
    assert (run / "checkpoints" / "iter_0001" / "records.npz").is_file()


def test_pretraining_teaches_the_recorded_moves(tmp_path):
    # Every recorded game opens in the centre: after pretraining the network's first move is the centre.
    task = make_task("tictactoe_v3")
    records = [r for r in _random_records(400, seed=1) if r.actions[0] == 4][:40]
    assert len(records) >= 20
    trainer = Trainer(_tiny(), run_dir=tmp_path / "run", progress=False, tensorboard=False)
    try:
        write_jsonl(tmp_path / "g.jsonl", records)
        warm_start(trainer, WarmStart(records=(str(tmp_path / "g.jsonl"),), epochs=8), log=lambda _: None)
        obs = torch.from_numpy(np.asarray(task.observe(task.initial_state(0)), np.float32)[None])
        trainer.network.eval()
        logits, _ = trainer.network(obs, 0)
        assert int(logits.argmax()) == 4
    finally:
        trainer.close()


def test_init_from_and_replay_from_another_run(tmp_path):
    first = Trainer(_tiny(), run_dir=tmp_path / "a", progress=False, tensorboard=False)
    first.learn()
    second = Trainer(_tiny(), run_dir=tmp_path / "b", progress=False, tensorboard=False)
    try:
        report = warm_start(second, WarmStart(init_from=str(tmp_path / "a"), replay_from=str(tmp_path / "a")),
                            log=lambda _: None)
        assert not report.lines[0].endswith(")") and "carried" in report.lines[0]
        for name, tensor in first.network.state_dict().items():
            assert torch.equal(tensor, second.network.state_dict()[name]), name
        assert len(second.replay) == len(first.replay) > 0
    finally:
        second.close()
    other = Trainer(_tiny("connect_four_v3"), run_dir=tmp_path / "c", progress=False, tensorboard=False)
    try:
        with pytest.raises(ValueError, match="tictactoe_v3"):
            warm_start(other, WarmStart(init_from=str(tmp_path / "a")))
    finally:
        other.close()


def test_init_from_a_go_network_of_another_board_size_keeps_the_trunk(tmp_path):
    def config(size):
        return RunConfig(game="go_v5", env_kwargs={"board_size": size, "komi": 7.5},
                         network=NetworkConfig(num_blocks=1, channels=8, value_hidden=8),
                         selfplay=SelfPlayConfig(games_per_iteration=1, concurrent_games=1, max_moves=10),
                         train=TrainConfig(iterations=0, batch_size=8, min_replay_size=8, replay_capacity=64))
    small = Trainer(config(5), run_dir=tmp_path / "g5", progress=False, tensorboard=False)
    small.save()
    small.close()
    big = Trainer(config(7), run_dir=tmp_path / "g7", progress=False, tensorboard=False)
    try:
        report = init_from(big.network, tmp_path / "g5", big.spec)
        assert any(name.startswith("trunk.") for name in report.carried)
        assert report.kept and all(not name.startswith("trunk.") for name in report.kept)
        trunk = {k: v for k, v in small.network.state_dict().items() if k.startswith("trunk.")}
        assert all(torch.equal(v, big.network.state_dict()[k]) for k, v in trunk.items())
    finally:
        big.close()


def test_random_play_positions_and_random_games_option(tmp_path):
    task = make_task("tictactoe_v3")
    positions, stats = random_play_positions(task, 5, np.random.default_rng(0), symmetries=False)
    assert stats.used == 5 and len(positions) == stats.positions
    for _, _, policy, _, mask in positions:
        assert np.allclose(policy[mask], 1.0 / mask.sum()) and policy[~mask].sum() == 0
    config = _tiny()
    config = RunConfig(**{**config.__dict__, "selfplay": SelfPlayConfig(**{**config.selfplay.__dict__, "random_games": 10})})
    trainer = Trainer(config, run_dir=tmp_path / "r", progress=False, tensorboard=False)
    history = trainer.learn()
    assert history[0]["selfplay/random_play_positions"] > 0


def test_dropout_keeps_the_names_of_saved_weights():
    spec = make_task("tictactoe_v3").spec
    for kind in ("resnet", "mlp"):
        plain = AlphaZeroNetwork(spec, NetworkConfig(kind=kind, num_blocks=1, channels=8, mlp_hidden=16))
        dropped = AlphaZeroNetwork(spec, NetworkConfig(kind=kind, num_blocks=1, channels=8, mlp_hidden=16,
                                                       dropout=0.3))
        dropped.load_state_dict(plain.state_dict())  # strict: same names and shapes
        assert any(isinstance(m, torch.nn.Dropout) and m.p == 0.3 for m in dropped.modules())
    with pytest.raises(ValueError, match="dropout"):
        NetworkConfig(dropout=1.0)


def test_self_play_games_are_kept_as_records_and_can_start_another_run(tmp_path):
    config = _tiny()
    config = RunConfig(**{**config.__dict__, "selfplay": SelfPlayConfig(**{**config.selfplay.__dict__,
                                                                          "record_games": True})})
    trainer = Trainer(config, run_dir=tmp_path / "a", progress=False, tensorboard=False)
    trainer.learn()
    from az_pz.records import read_jsonl, replay

    records = list(read_jsonl(tmp_path / "a" / "selfplay_games.jsonl"))
    assert len(records) == config.selfplay.games_per_iteration
    for record in records:
        assert record.seats == SEATS and record.metadata["round"] == 1
        steps = list(replay(record))  # legal in the real env, and its final rewards agree
        assert len(steps) == len(record.actions)
    second = Trainer(_tiny(), run_dir=tmp_path / "b", progress=False, tensorboard=False)
    try:
        report = warm_start(second, WarmStart(records=(str(tmp_path / "a" / "selfplay_games.jsonl"),), epochs=0),
                            log=lambda _: None)
        assert report.metrics["records/used"] == len(records)
    finally:
        second.close()
