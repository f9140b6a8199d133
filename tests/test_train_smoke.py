"""Short end-to-end training runs: tic-tac-toe, the CLI, and the N-player / multi-phase games."""

import json

import numpy as np
import pytest
import torch

from az_pz.cli import main as cli_main
from az_pz.matches import RandomPlayer, SearchPlayer, play_match
from az_pz.train import Trainer
from az_pz.training import evaluation, learner
from learning_helpers import ToyTask, tiny_config


def test_tictactoe_trains_logs_and_evaluates(tmp_path):
    config = tiny_config(train__iterations=2, eval__every=1)
    trainer = Trainer(config, run_dir=tmp_path / "run", progress=False)
    history = trainer.learn()
    assert [m["iteration"] for m in history] == [1, 2]
    last = history[-1]
    for key in ("loss/policy", "loss/value", "selfplay/games_per_s", "selfplay/sims_per_s",
                "eval/win_rate_random", "eval/win_rate_mcts", "train/lr", "replay/size"):
        assert key in last, key
    assert np.isfinite(last["loss/policy"]) and np.isfinite(last["loss/value"])
    assert last["selfplay/games"] == config.selfplay.games_per_iteration
    lines = (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()
    assert json.loads(lines[-1])["iteration"] == 2
    assert list((tmp_path / "run" / "tensorboard").glob("events.out.tfevents.*"))
    config_json = json.loads((tmp_path / "run" / "config.json").read_text())
    assert config_json["task"]["name"] == "tictactoe_v3" and "numpy" in config_json["versions"]


def test_cli_train_and_resume(tmp_path, capsys):
    run_dir = tmp_path / "cli"
    common = ["--network.kind", "mlp", "--network.num-blocks", "1", "--network.mlp-hidden", "16",
              "--search.num-simulations", "4", "--selfplay.games-per-iteration", "4", "--selfplay.concurrent-games", "4",
              "--train.batch-size", "16", "--train.min-replay-size", "16", "--train.time-limit-s", "600",
              "--eval.every", "1", "--eval.games-vs-random", "2", "--eval.games-vs-rollout", "2",
              "--eval.rollout-simulations", "4", "--eval.final-games", "2", "--eval.final-rollout-simulations", "4"]
    assert cli_main(["train", "tictactoe_v3", "--run-dir", str(run_dir), "--iterations", "1", "--device", "cpu", *common]) == 0
    out = capsys.readouterr().out
    assert "vs random" in out or "win_rate_random" in out
    assert cli_main(["train", "--resume", str(run_dir), "--iterations", "2", "--no-final-eval"]) == 0
    out = capsys.readouterr().out
    assert "starting after iteration 1" in out
    assert json.loads((run_dir / "checkpoints" / "iter_0002" / "state.json").read_text())["iteration"] == 2
    assert json.loads((run_dir / "config.json").read_text())["config"]["search"]["num_simulations"] == 4


def test_toy_task_with_three_players_two_phases_and_intermediate_rewards_trains(tmp_path):
    task = ToyTask()
    config = tiny_config("toy_v0", network__kind="resnet", network__channels=8, train__iterations=2,
                         selfplay__resign_threshold=None, selfplay__temperature_moves=2)
    trainer = Trainer(config, task=task, run_dir=tmp_path / "toy", progress=False, tensorboard=False)
    trainer.learn()
    assert {int(p) for p in trainer.replay.phases[: len(trainer.replay)]} == {0, 1}
    values = trainer.replay.values[: len(trainer.replay)]
    assert values.shape[1] == 3 and np.abs(values).max() <= 1
    resumed = Trainer.resume(tmp_path / "toy", task=task, progress=False, tensorboard=False)
    assert resumed.iteration == 2


@pytest.mark.parametrize("game", ["three_player", "two_phase"])
def test_foundation_test_games_train_without_error(tmp_path, game):
    from az_pz.adapters import PettingZooTask
    from tests.games import three_player, two_phase

    module = {"three_player": three_player, "two_phase": two_phase}[game]
    task = PettingZooTask(module.env)
    config = tiny_config(task.spec.name, train__iterations=1, selfplay__max_moves=40, eval__every=1)
    trainer = Trainer(config, task=task, run_dir=tmp_path / game, progress=False, tensorboard=False)
    history = trainer.learn()
    assert "eval/win_rate_random" in history[-1]


@pytest.mark.slow
@pytest.mark.parametrize("game", ["three_player", "two_phase"])
def test_foundation_test_games_beat_random(tmp_path, game):
    from az_pz.adapters import PettingZooTask
    from tests.games import three_player, two_phase

    module = {"three_player": three_player, "two_phase": two_phase}[game]
    task = PettingZooTask(module.env)
    config = tiny_config(task.spec.name, network__mlp_hidden=64, search__num_simulations=32,
                         selfplay__games_per_iteration=64, selfplay__concurrent_games=64, selfplay__max_moves=40,
                         train__iterations=6, train__sample_reuse=2.0, train__batch_size=128,
                         train__min_replay_size=128)
    trainer = Trainer(config, task=task, run_dir=tmp_path / game, progress=False, tensorboard=False)
    trainer.learn()
    result = play_match(task, evaluation.search_player(trainer, games=60), RandomPlayer(task), 60, np.random.default_rng(1),
                        max_moves=40)
    # random play wins 1 / P of the games; the trained agent must do clearly better from every seat
    assert result.win_rate > 1.5 / task.spec.num_players, result


@pytest.mark.slow
def test_selfplay_worker_processes(tmp_path):
    config = tiny_config(selfplay__backend="processes", selfplay__workers=2, train__iterations=1)
    trainer = Trainer(config, run_dir=tmp_path / "workers", progress=False, tensorboard=False)
    history = trainer.learn()
    assert history[-1]["selfplay/games"] == config.selfplay.games_per_iteration
    assert len(trainer.replay) > 0
    assert not (tmp_path / "workers" / "selfplay_weights.safetensors").exists()


@pytest.mark.parametrize("device, worker_device", [
    ("cpu", "auto"),
    pytest.param("cuda", "cuda", marks=[pytest.mark.cuda,
                                        pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")]),
])
def test_worker_processes_run_their_network_on_the_worker_device(tmp_path, device, worker_device):
    config = tiny_config(device=device, selfplay__backend="processes", selfplay__workers=2, selfplay__worker_device=worker_device,
                         train__iterations=2)
    trainer = Trainer(config, run_dir=tmp_path / "workers", progress=False, tensorboard=False)
    history = trainer.learn()
    assert [row["selfplay/games"] for row in history] == [config.selfplay.games_per_iteration] * 2
    assert np.isfinite(history[-1]["loss/total"])
    resumed = Trainer.resume(tmp_path / "workers", progress=False, tensorboard=False)
    assert resumed.iteration == 2 and resumed.config.selfplay.worker_device == worker_device


def test_gating_arena_keeps_a_best_network_across_resume(tmp_path):
    config = tiny_config(train__iterations=1, eval__gating=True, eval__gating_games=2)
    trainer = Trainer(config, run_dir=tmp_path / "gate", progress=False, tensorboard=False)
    history = trainer.learn()
    assert history[-1]["gating/accepted"] in (0.0, 1.0)
    assert trainer.counters["gating_accepted"] + trainer.counters["gating_rejected"] == 1
    assert (tmp_path / "gate" / "checkpoints" / "iter_0001" / "best_model.safetensors").is_file()
    resumed = Trainer.resume(tmp_path / "gate", progress=False, tensorboard=False)
    for key, value in trainer.best_state.items():
        assert torch.equal(value.cpu(), resumed.best_state[key].cpu())


def test_an_iteration_without_new_positions_takes_no_step_and_logs_no_nan(tmp_path):
    config = tiny_config(train__min_steps_per_iteration=0, train__min_replay_size=1)
    trainer = Trainer(config, run_dir=tmp_path / "run", progress=False, tensorboard=False)
    positions, _ = trainer.selfplay.play(1, np.random.default_rng(0))
    for position in positions:
        trainer.replay.add(*position)
    metrics = learner.train(trainer, 0)
    assert metrics["train/steps"] == 0
    assert all(np.isfinite(value) for value in metrics.values())
    assert trainer.counters["train_steps"] == 0


def test_callbacks_see_every_iteration_and_a_log_file_gets_lines_not_bar_frames(tmp_path, capfd):
    """``Trainer(..., callbacks=[...])``: the user's callback gets each iteration's metrics after the default
    ones; metrics.jsonl is appended to; without a terminal the progress output is one line per iteration."""
    from az_pz.training import Callback

    class Seen(Callback):
        def __init__(self):
            self.rows, self.ended = [], 0

        def on_iteration_end(self, trainer, metrics):
            assert (trainer.run_dir / "metrics.jsonl").read_text().splitlines()[-1] == json.dumps(metrics)
            self.rows.append(metrics["iteration"])

        def on_train_end(self, trainer):
            self.ended += 1

    seen = Seen()
    config = tiny_config(train__iterations=2)
    trainer = Trainer(config, run_dir=tmp_path / "run", progress=True, tensorboard=False, callbacks=[seen])
    trainer.learn()
    assert seen.rows == [1, 2] and seen.ended >= 1
    out, err = capfd.readouterr()
    assert "\r" not in out + err
    assert [line.split(" | ")[0] for line in out.splitlines() if line.startswith("iter ")] == ["iter 1/2", "iter 2/2"]
    resumed = Trainer.resume(tmp_path / "run", progress=False, tensorboard=False, train__iterations=3)
    resumed.learn()
    rows = [json.loads(line)["iteration"] for line in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    assert rows == [1, 2, 3]
