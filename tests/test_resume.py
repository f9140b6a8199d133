"""A resumed run continues the same run: same weights, optimizer, replay and RNG as an uninterrupted one."""

import json

import torch

from az_pz.train import Trainer
from learning_helpers import tiny_config


def test_resume_reproduces_an_uninterrupted_run(tmp_path):
    config = tiny_config(train__iterations=2, selfplay__games_per_iteration=6)
    straight = Trainer(config, run_dir=tmp_path / "straight", progress=False, tensorboard=False)
    straight.learn()

    first = Trainer(config, run_dir=tmp_path / "split", progress=False, tensorboard=False)
    first.learn(iterations=1)
    del first
    resumed = Trainer.resume(tmp_path / "split", progress=False, tensorboard=False)
    assert resumed.iteration == 1
    resumed.learn()
    assert resumed.iteration == 2

    for key, value in straight.network.state_dict().items():
        assert torch.equal(value, resumed.network.state_dict()[key]), key
    assert straight.rng.bit_generator.state == resumed.rng.bit_generator.state
    assert straight.counters["train_steps"] == resumed.counters["train_steps"]
    assert len(straight.replay) == len(resumed.replay)
    lines = (tmp_path / "split" / "metrics.jsonl").read_text().splitlines()
    assert [json.loads(line)["iteration"] for line in lines] == [1, 2]


def test_resume_can_extend_a_finished_run(tmp_path):
    trainer = Trainer(tiny_config(train__iterations=1), run_dir=tmp_path / "run", progress=False, tensorboard=False)
    trainer.learn()
    more = Trainer.resume(tmp_path / "run", progress=False, tensorboard=False, train__iterations=2)
    more.learn()
    assert more.iteration == 2
    again = Trainer.resume(tmp_path / "run", progress=False, tensorboard=False)
    assert again.config.train.iterations == 2 and again.iteration == 2


def test_a_run_without_checkpoint_starts_over(tmp_path):
    trainer = Trainer(tiny_config(), run_dir=tmp_path / "run", progress=False, tensorboard=False)
    del trainer
    resumed = Trainer.resume(tmp_path / "run", progress=False, tensorboard=False)
    assert resumed.iteration == 0


def test_gating_switched_on_at_resume_starts_from_the_trained_network(tmp_path):
    trainer = Trainer(tiny_config(train__iterations=1), run_dir=tmp_path / "run", progress=False, tensorboard=False)
    trainer.learn()
    resumed = Trainer.resume(tmp_path / "run", progress=False, tensorboard=False, eval__gating=True,
                             eval__gating_games=2, train__iterations=2)
    for key, value in trainer.network.state_dict().items():
        assert torch.equal(value.cpu(), resumed.best_state[key].cpu()), key
