"""Tiny trained agents for the engine tests: one self-play iteration each, a few seconds of CPU."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest


def _train(game: str, run_dir: Path, env_kwargs: dict | None = None, **overrides) -> Path:
    from learning_helpers import tiny_config

    from az_pz.train import Trainer

    config = tiny_config(game, network__kind="resnet", network__num_blocks=1, network__channels=16,
                         network__value_hidden=16, selfplay__games_per_iteration=4, selfplay__concurrent_games=4,
                         selfplay__num_workers=0, train__iterations=1, eval__games_vs_random=0,
                         eval__games_vs_rollout=0, eval__num_simulations=16, **overrides)
    if env_kwargs:
        config = dataclasses.replace(config, env_kwargs=env_kwargs)
    trainer = Trainer(config, run_dir=run_dir, progress=False, tensorboard=False)
    try:
        trainer.learn()
        trainer.save()
    finally:
        trainer.close()
    return run_dir


@pytest.fixture(scope="session")
def chess_run(tmp_path_factory) -> Path:
    """A chess run directory trained for one tiny iteration (games cut at 12 plies)."""
    return _train("chess_v6", tmp_path_factory.mktemp("engines") / "chess", selfplay__max_moves=12)


@pytest.fixture(scope="session")
def go_run(tmp_path_factory) -> Path:
    """A 5x5 go run directory (komi 7.5) trained for one tiny iteration."""
    return _train("go_v5", tmp_path_factory.mktemp("engines") / "go5", {"board_size": 5}, selfplay__max_moves=60)


@pytest.fixture(scope="session")
def chess_agent(chess_run):
    from az_pz.agents.alphazero import AlphaZeroAgent

    return AlphaZeroAgent.load(chess_run, device="cpu")


@pytest.fixture(scope="session")
def go_agent(go_run):
    from az_pz.agents.alphazero import AlphaZeroAgent

    return AlphaZeroAgent.load(go_run, device="cpu")
