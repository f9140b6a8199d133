"""The learner: AdamW steps on batches from the replay buffer (and recorded games), on the learning-rate schedule.

Functions over the :class:`~az_pz.train.Trainer`'s network, optimizer, replay buffer and counters; the trainer's
``train_step`` and the loop call them.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from az_pz import schedule
from az_pz.config import lr_factor
from az_pz.network import autocast
from az_pz.replay import PhaseBatch, merge_batches

__all__ = ["records_fraction", "sample", "train", "train_step"]


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
    for _ in range(steps):
        lr = train.learning_rate * lr_factor(train.lr_schedule, progress, int(trainer.counters["train_steps"]),
                                             train.warmup_steps, train.min_lr_fraction)
        for group in trainer.optimizer.param_groups:
            group["lr"] = lr
        totals += train_step(trainer, sample(trainer, train.batch_size, fraction))
        trainer.counters["train_steps"] += 1
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
    return merge_batches(batches)

def train_step(trainer: Any, batches: list[PhaseBatch]) -> np.ndarray:
    """One AdamW step on a batch grouped by phase; returns (policy loss, value loss, target entropy)."""
    trainer.network.train()
    total = sum(len(b.values) for b in batches)
    policy_sum = value_sum = entropy_sum = 0.0
    loss = torch.zeros((), device=trainer.device)
    with autocast(trainer.device):
        for batch in batches:
            obs = torch.from_numpy(batch.observations).to(trainer.device)
            target_pi = torch.from_numpy(batch.policies).to(trainer.device)
            target_v = torch.from_numpy(batch.values).to(trainer.device)
            mask = torch.from_numpy(batch.masks).to(trainer.device)
            logits, values = trainer.network(obs, batch.phase)
            log_p = F.log_softmax(logits.float().masked_fill(~mask, -1e9), dim=1)
            policy = -(target_pi * log_p).sum(dim=1).sum()
            value = ((values.float() - target_v) ** 2).mean(dim=1).sum()
            loss = loss + (policy + trainer.config.train.value_loss_weight * value) / total
            policy_sum += float(policy.detach())
            value_sum += float(value.detach())
            entropy_sum += float(-(target_pi * torch.log(target_pi.clamp_min(1e-12))).sum().detach())
    trainer.optimizer.zero_grad(set_to_none=True)
    loss.backward()
    if trainer.config.train.grad_clip_norm is not None:
        torch.nn.utils.clip_grad_norm_(trainer.network.parameters(), trainer.config.train.grad_clip_norm)
    trainer.optimizer.step()
    return np.array([policy_sum / total, value_sum / total, entropy_sum / total])
