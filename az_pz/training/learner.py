"""The learner: AdamW steps on batches from the replay buffer (and recorded games), on the learning-rate schedule.

:class:`Learner` holds what learns (network, optimizer, replay buffer, recorded positions, the best network for
gating, the schedule's plan) and moves it to and from checkpoint files. The functions below run the steps over
the :class:`~az_pz.train.Trainer`, which exposes the learner's parts together with its own iteration, counters
and random generator; the trainer's ``train_step`` and the loop call them.
"""

from __future__ import annotations

import contextlib
import functools
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from az_pz import checkpoint as ckpt
from az_pz import schedule
from az_pz.config import RunConfig, TrainConfig, lr_factor
from az_pz.network import AlphaZeroNetwork, NetworkEvaluator, autocast
from az_pz.precision import Precision, resolve_precision, resolve_train_precision, time_call
from az_pz.replay import PhaseBatch, ReplayBuffer, merge_batches
from az_pz.selfplay.loop import augment
from az_pz.task import TaskSpec

__all__ = ["Learner", "gradient_step", "random_play", "random_symmetry", "records_fraction", "sample", "step", "train",
           "train_step", "training_threads"]


class Learner:
    """The learning state of one run, built for ``config`` on ``device``; the trainer reads and writes it."""

    def __init__(self, spec: TaskSpec, config: RunConfig, device: torch.device) -> None:
        self.spec, self.config = spec, config
        self.network = AlphaZeroNetwork(spec, config.network).to(device)
        self.optimizer = _adamw(self.network, config.train)
        self.precision = resolve_precision(config.selfplay.precision, device, self.network,
                                           spec.phases[0].observation_shape)
        """Of the evaluator's forward passes (self-play inline, in-training evaluation, the yardstick)."""
        self.evaluator = NetworkEvaluator(self.network, device, bf16=self.precision.bf16)
        self.train_precision = _train_precision(spec, config, device)
        """Of the gradient steps (``train.precision``)."""
        self.replay = ReplayBuffer(spec, config.train.replay_capacity)
        self.records: ReplayBuffer | None = None
        """Positions from recorded games (``az_pz.warmstart``), mixed into batches at ``train.records_fraction``."""
        self.plan = schedule.new_plan(config.train)
        """The planned length the learning-rate schedule spans (az_pz.schedule), stored in state.json."""
        self.best_state: dict[str, torch.Tensor] | None = self.network_state() if config.eval.gating else None
        """The best network so far (``eval.gating``), or None."""
        self.symmetries: Any = None
        """What turns each drawn position (``train.random_symmetry``): has ``symmetries(obs, policy, phase)``."""

    def draw_symmetries_of(self, task: Any) -> str:
        """Show each drawn position in a random symmetry of ``task`` (``train.random_symmetry``); says which."""
        from az_pz.symmetry import task_symmetries

        self.symmetries = task_symmetries(task)
        names = getattr(self.symmetries, "names", None)
        return f"positions drawn for training are turned by a random symmetry: {', '.join(names or ['the task'])}"

    def add(self, positions: Any) -> None:
        """Positions (``(observation, ...)`` tuples, as self-play gives them) into the replay buffer."""
        for position in positions:
            self.replay.add(*position)

    def network_state(self) -> dict[str, torch.Tensor]:
        """A copy of the network's weights."""
        return {k: v.detach().clone() for k, v in self.network.state_dict().items()}

    def load(self, checkpoint: Path) -> None:
        """Read every file of ``checkpoint`` first, then commit: a bad file leaves the learner untouched."""
        spec, config = self.spec, self.config
        network = AlphaZeroNetwork(spec, config.network)
        ckpt.load_model_weights(checkpoint / "model.safetensors", network, spec)
        optimizer = _adamw(network, config.train)
        ckpt.load_optimizer(checkpoint, optimizer)
        replay = _buffer(checkpoint / "replay.npz", spec, config.train.replay_capacity)
        records = _buffer(checkpoint / "records.npz", spec, None)
        best = None
        if (checkpoint / "best_model.safetensors").is_file():
            best_net = AlphaZeroNetwork(spec, config.network)
            ckpt.load_model_weights(checkpoint / "best_model.safetensors", best_net, spec)
            best = best_net.state_dict()
        self.network.load_state_dict(network.state_dict())
        self.optimizer.load_state_dict(optimizer.state_dict())
        if replay is not None:
            self.replay = replay
        if records is not None:
            self.records = records
        if best is not None:
            self.best_state = best
        elif self.best_state is not None:  # gating switched on at resume: the loaded network is the best so far
            self.best_state = self.network_state()

    def checkpoint_files(self) -> dict[str, Any]:
        """The checkpoint's files (name: bytes or a buffer) for :func:`az_pz.checkpoint.save_checkpoint`."""
        config_json = ckpt.config_to_json(self.config)["network"]
        files: dict[str, Any] = {
            "model.safetensors": ckpt.model_to_bytes(self.network, self.spec, config_json),
            "optimizer.safetensors": ckpt.optimizer_to_bytes(self.optimizer),
        }
        if self.config.train.save_replay:
            files["replay.npz"] = self.replay
        if self.records is not None:
            files["records.npz"] = self.records
        if self.best_state is not None:
            best = AlphaZeroNetwork(self.spec, self.config.network)
            best.load_state_dict(self.best_state)
            files["best_model.safetensors"] = ckpt.model_to_bytes(best, self.spec, config_json)
        return files


def _adamw(network: torch.nn.Module, train: TrainConfig) -> torch.optim.AdamW:
    return torch.optim.AdamW(network.parameters(), lr=train.learning_rate, weight_decay=train.weight_decay)


def _buffer(path: Path, spec: TaskSpec, capacity: int | None) -> ReplayBuffer | None:
    if not path.is_file():
        return None
    try:
        return ReplayBuffer.load(path, spec, capacity) if capacity is not None else ReplayBuffer.load(path, spec)
    except ValueError as error:
        raise ckpt.CheckpointError(str(error)) from error


def random_play(trainer: Any) -> dict[str, float]:
    """A new run's first iteration: ``selfplay.random_games`` random games fill the empty replay buffer."""
    selfplay = trainer.config.selfplay
    if trainer.iteration or not selfplay.random_games or trainer.replay.total_added:
        return {}
    from az_pz.warmstart import random_play_positions

    played, _ = random_play_positions(trainer.task, selfplay.random_games, trainer.rng,
                                      symmetries=selfplay.symmetry_augmentation)
    trainer.learner.add(played)
    return {"selfplay/random_play_positions": float(len(played))}


def train(trainer: Any, new_samples: int) -> dict[str, float]:
    train = trainer.config.train
    fraction = records_fraction(trainer)
    if len(trainer.replay) < train.min_replay_size and not fraction:
        return {"train/steps": 0.0, "replay/size": float(len(trainer.replay))}
    if len(trainer.replay) < train.min_replay_size:  # recorded games carry the first iterations alone
        fraction = 1.0
    steps = max(train.min_steps_per_iteration, math.ceil(train.sample_reuse * new_samples / train.batch_size))
    if steps == 0:  # no new positions and min_steps_per_iteration = 0
        return {"train/steps": 0.0, "replay/size": float(len(trainer.replay))}
    progress = schedule.progress(trainer.plan, trainer.iteration)  # the planned run, never the clock
    totals = np.zeros(3)
    lr = train.learning_rate
    with training_threads(trainer.config):
        for _ in range(steps):
            lr = train.learning_rate * lr_factor(train.lr_schedule, progress, int(trainer.counters["train_steps"]),
                                                 train.warmup_steps, train.min_lr_fraction)
            totals += step(trainer, sample(trainer, train.batch_size, fraction), lr)
    policy, value, entropy = (float(x) for x in totals / steps)
    return {"loss/policy": policy, "loss/value": value, "loss/total": policy + train.value_loss_weight * value,
            "loss/target_entropy": entropy, "train/lr": lr, "train/steps": float(steps),
            "replay/size": float(len(trainer.replay)), "train/records_fraction": fraction}

def records_fraction(trainer: Any) -> float:
    """Share of each batch drawn from recorded games: ``train.records_fraction``, decaying linearly to 0
    over ``train.records_decay_iterations`` iterations (0: constant) as trainer-play takes over."""
    train = trainer.config.train
    if trainer.records is None or len(trainer.records) == 0:
        return 0.0
    if not train.records_decay_iterations:
        return train.records_fraction
    return train.records_fraction * max(0.0, 1.0 - trainer.iteration / train.records_decay_iterations)

def sample(trainer: Any, batch_size: int, records_fraction: float) -> list[PhaseBatch]:
    from_records = round(batch_size * records_fraction) if trainer.records is not None else 0
    batches = trainer.records.sample(from_records, trainer.rng) if from_records else []
    if batch_size - from_records:
        batches += trainer.replay.sample(batch_size - from_records, trainer.rng)
    batches = merge_batches(batches)
    symmetries = trainer.learner.symmetries
    return batches if symmetries is None else [random_symmetry(b, symmetries, trainer.rng) for b in batches]


def random_symmetry(batch: PhaseBatch, symmetries: Any, rng: np.random.Generator) -> PhaseBatch:
    """``batch`` with each position (observation, policy, legal mask) in one of its symmetries, drawn uniformly
    from the copies :func:`az_pz.selfplay.loop.augment` makes."""
    observations, policies, masks = batch.observations.copy(), batch.policies.copy(), batch.masks.copy()
    for row in range(len(observations)):
        copies = augment(symmetries, batch.observations[row], batch.policies[row], batch.masks[row], batch.phase)
        observations[row], policies[row], masks[row] = copies[int(rng.integers(len(copies)))]
    return PhaseBatch(batch.phase, observations, policies, batch.values, masks)

def step(trainer: Any, batches: list[PhaseBatch], lr: float) -> np.ndarray:
    """One counted gradient step at learning rate ``lr`` (self-play training and pretraining on records alike);
    returns what :func:`train_step` returns."""
    for group in trainer.optimizer.param_groups:
        group["lr"] = lr
    losses = train_step(trainer, batches)
    trainer.counters["train_steps"] += 1
    return losses


def train_step(trainer: Any, batches: list[PhaseBatch]) -> np.ndarray:
    """One AdamW step on a batch grouped by phase; returns (policy loss, value loss, target entropy)."""
    return gradient_step(trainer.network, trainer.optimizer, batches, trainer.config.train, trainer.device,
                         trainer.learner.train_precision.bf16)


def gradient_step(network: torch.nn.Module, optimizer: torch.optim.Optimizer, batches: list[PhaseBatch],
                  train: TrainConfig, device: torch.device, bf16: bool) -> np.ndarray:
    """:func:`train_step` on explicit parts (the start-up timing of ``train.precision`` steps a scratch copy)."""
    network.train()
    total = sum(len(b.values) for b in batches)
    policy_sum = value_sum = entropy_sum = 0.0
    loss = torch.zeros((), device=device)
    with autocast(device, bf16=bf16):
        for batch in batches:
            obs = torch.from_numpy(batch.observations).to(device)
            target_pi = torch.from_numpy(batch.policies).to(device)
            target_v = torch.from_numpy(batch.values).to(device)
            mask = torch.from_numpy(batch.masks).to(device)
            logits, values = network(obs, batch.phase)
            log_p = F.log_softmax(logits.float().masked_fill(~mask, -1e9), dim=1)
            policy = -(target_pi * log_p).sum(dim=1).sum()
            value = ((values.float() - target_v) ** 2).mean(dim=1).sum()
            loss = loss + (policy + train.value_loss_weight * value) / total
            policy_sum += float(policy.detach())
            value_sum += float(value.detach())
            entropy_sum += float(-(target_pi * torch.log(target_pi.clamp_min(1e-12))).sum().detach())
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    if train.grad_clip_norm is not None:
        torch.nn.utils.clip_grad_norm_(network.parameters(), train.grad_clip_norm)
    optimizer.step()
    return np.array([policy_sum / total, value_sum / total, entropy_sum / total])


@contextlib.contextmanager
def training_threads(config: RunConfig) -> Iterator[None]:
    """Torch runs the gradient steps on ``train.num_threads`` CPU threads (0: the run's own), then returns to
    the threads it had: the cores the idle self-play workers leave are the training's while it runs."""
    threads = config.train.num_threads
    before = torch.get_num_threads()
    if threads and threads != before:
        torch.set_num_threads(threads)
    try:
        yield
    finally:
        if torch.get_num_threads() != before:
            torch.set_num_threads(before)


def _train_precision(spec: TaskSpec, config: RunConfig, device: torch.device) -> Precision:
    """``train.precision`` resolved; ``fastest`` times steps of one scratch network (the run's own stays as
    initialised) on a batch of zero positions of phase 0, on the training's threads. The scratch parts are
    built only when a timing is asked for."""
    phase, batch = spec.phases[0], config.train.batch_size

    @functools.cache
    def scratch() -> tuple[torch.nn.Module, torch.optim.Optimizer, PhaseBatch]:
        network = AlphaZeroNetwork(spec, config.network).to(device)
        zeros = PhaseBatch(0, np.zeros((batch, *phase.observation_shape), np.float32),
                           np.full((batch, phase.num_actions), 1.0 / phase.num_actions, np.float32),
                           np.zeros((batch, spec.num_players), np.float32), np.ones((batch, phase.num_actions), bool))
        return network, _adamw(network, config.train), zeros

    def time_step(bf16: bool) -> float:
        network, optimizer, zeros = scratch()
        return time_call(lambda: gradient_step(network, optimizer, [zeros], config.train, device, bf16))

    with training_threads(config):
        return resolve_train_precision(config.train.precision, device, time_step)
