"""The network and its Evaluator: a shared trunk, per-phase stems and heads, per-seat values.

Layout (AlphaGo Zero, Silver et al. 2017, "Methods: neural network architecture"):

* one input *stem* per phase (3x3 convolution, or a linear layer for the MLP), so phases
  whose observations differ in channels (or size) feed the same trunk;
* a shared trunk of residual blocks;
* one *policy head* per phase (its own number of actions) giving logits ``[B, A_phase]``: a linear
  layer over the flattened board (AlphaGo Zero), or, for a phase whose spec lays its actions out as
  planes over the board (``PhaseSpec.policy_planes``), convolutions giving one logit per (plane, square)
  (AlphaZero's 73-plane chess head, Silver et al. 2018), reordered to the action numbering;
* one *value head* per phase giving ``[B, P]`` through ``tanh``: the expected return of every
  seat, **relative to the player to move** (index 0 = mover, index i = seat ``(mover + i) % P``),
  so one set of weights serves every seat of an N-player game.

:class:`NetworkEvaluator` wraps a network into the search's ``Evaluator`` protocol: it observes
the states, batches them per phase, runs the network (bf16 autocast on CUDA, and on a CPU where ``selfplay.precision`` chose it), pads the logits
to ``A_max`` and rotates values back to seat order.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from az_pz.config import NetworkConfig
from az_pz.evaluators import Evaluation
from az_pz.inference import inference_module
from az_pz.task import PhaseSpec, Task, TaskSpec, rotate_to_seats

__all__ = ["AlphaZeroNetwork", "NetworkEvaluator", "autocast", "resolve_device"]


def resolve_device(device: str | torch.device = "auto") -> torch.device:
    """``"auto"`` -> CUDA when available, else CPU; ``"cuda"`` without CUDA raises a clear error."""
    if isinstance(device, torch.device):
        return device
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    resolved = torch.device(device)
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise RuntimeError(f"device {device!r} asked for, but this torch build sees no CUDA device; use --device cpu")
    return resolved


def autocast(device: torch.device, bf16: bool | None = None) -> contextlib.AbstractContextManager:
    """bf16 mixed precision on CUDA, and on a CPU where ``bf16`` asks for it (az_pz.precision); else float32.
    ``bf16=False`` keeps CUDA in float32 too."""
    if device.type in ("cuda", "cpu") and (bf16 if bf16 is not None else device.type == "cuda"):
        return torch.autocast(device.type, dtype=torch.bfloat16)
    return contextlib.nullcontext()


def _autocast_off(device_type: str) -> contextlib.AbstractContextManager:
    """Autocast disabled on ``device_type`` (a no-op for device types without autocast, e.g. ``meta``)."""
    try:
        return torch.autocast(device_type, enabled=False)
    except RuntimeError:
        return contextlib.nullcontext()


class _ResidualBlock(nn.Module):
    """Two 3x3 convolutions with batch norm and a skip connection (AlphaGo Zero's residual block)."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = torch.relu(self.bn1(self.conv1(x)))
        return torch.relu(x + self.bn2(self.conv2(y)))


class _MLPBlock(nn.Module):
    """Pre-norm residual MLP block."""

    def __init__(self, width: int, dropout: float = 0.0) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(width)
        self.fc1 = nn.Linear(width, width)
        self.fc2 = nn.Linear(width, width)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.fc2(self.dropout(torch.relu(self.fc1(self.norm(x)))))


def _dense_activation(dropout: float) -> nn.Module:
    """ReLU, then dropout when asked. Both have no weights, so one module in the ReLU's place keeps the
    state-dict names of networks saved without dropout."""
    return nn.Sequential(nn.ReLU(), nn.Dropout(dropout)) if dropout else nn.ReLU()


def _conv_head(channels: int, head_channels: int, out: nn.Module) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(channels, head_channels, 1, bias=False),
        nn.BatchNorm2d(head_channels),
        nn.ReLU(),
        nn.Flatten(),
        out,
    )


class _SpatialPolicyHead(nn.Module):
    """One logit per (plane, row, col): 3x3 conv + BN + ReLU, then a 1x1 conv to ``P`` planes (AlphaZero's chess
    head), gathered into the phase's action order by a fixed index (``PhaseSpec.policy_index``).

    ``[B, C, H, W]`` features -> ``[B, A]`` logits with ``A = P * H * W``. The index is a non-persistent buffer:
    it follows ``.to(device)`` but is rebuilt from the spec, never stored with the weights.
    """

    def __init__(self, channels: int, head_channels: int, phase: PhaseSpec) -> None:
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv2d(channels, head_channels, 3, padding=1, bias=False),
            nn.BatchNorm2d(head_channels),
            nn.ReLU(),
            nn.Conv2d(head_channels, phase.policy_planes, 1),
        )
        self.register_buffer("index", torch.from_numpy(phase.policy_index()), persistent=False)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.conv(features).flatten(1).index_select(1, self.index)


def _spatial_policy(config: NetworkConfig, phase: PhaseSpec, number: int) -> bool:
    """Whether phase ``number`` gets a spatial policy head under ``config.policy_head``."""
    if config.kind != "resnet" or config.policy_head == "linear":
        return False
    if config.policy_head == "spatial" and not phase.policy_planes:
        raise ValueError(f"network.policy_head='spatial', but phase {number} ({phase.name!r}) declares no spatial "
                         "action layout (PhaseSpec.policy_planes = 0); use policy_head='auto' or 'linear'")
    return phase.policy_planes > 0


class AlphaZeroNetwork(nn.Module):
    """Policy-value network for a :class:`TaskSpec`.

    ``forward(observations, phase)`` takes float32 ``[B, C, H, W]`` observations of one phase
    (from the perspective of the player to move) and returns ``(logits [B, A_phase],
    values [B, P])`` with values mover-relative in ``[-1, 1]``.
    """

    def __init__(self, spec: TaskSpec, config: NetworkConfig) -> None:
        super().__init__()
        self.spec = spec
        self.config = config
        players = spec.num_players
        stems, policy_heads, value_heads = [], [], []
        if config.kind == "resnet":
            ch = config.channels
            for phase in spec.phases:
                c, h, w = phase.observation_shape
                stems.append(nn.Sequential(nn.Conv2d(c, ch, 3, padding=1, bias=False), nn.BatchNorm2d(ch), nn.ReLU()))
                if _spatial_policy(config, phase, len(policy_heads)):
                    policy_heads.append(_SpatialPolicyHead(ch, config.policy_channels, phase))
                else:
                    policy_heads.append(_conv_head(ch, config.policy_channels,
                                                   nn.Linear(config.policy_channels * h * w, phase.num_actions)))
                value_heads.append(_conv_head(ch, config.value_channels, nn.Sequential(
                    nn.Linear(config.value_channels * h * w, config.value_hidden), _dense_activation(config.dropout),
                    nn.Linear(config.value_hidden, players), nn.Tanh())))
            self.trunk = nn.Sequential(*[_ResidualBlock(ch) for _ in range(config.num_blocks)])
        else:
            width = config.mlp_hidden
            for phase in spec.phases:
                size = int(np.prod(phase.observation_shape))
                stems.append(nn.Sequential(nn.Flatten(), nn.Linear(size, width), nn.ReLU()))
                policy_heads.append(nn.Sequential(nn.LayerNorm(width), nn.Linear(width, phase.num_actions)))
                value_heads.append(nn.Sequential(nn.LayerNorm(width), nn.Linear(width, config.value_hidden), _dense_activation(config.dropout),
                                                 nn.Linear(config.value_hidden, players), nn.Tanh()))
            self.trunk = nn.Sequential(*[_MLPBlock(width, config.dropout) for _ in range(config.num_blocks)])
        self.stems = nn.ModuleList(stems)
        self.policy_heads = nn.ModuleList(policy_heads)
        self.value_heads = nn.ModuleList(value_heads)

    def forward(self, observations: torch.Tensor, phase: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
        features = self.trunk(self.stems[phase](observations))
        # The value head runs in float32 even under bf16 autocast: bf16 keeps 8 significant bits, so a tanh
        # output near 1 would move in steps of 1/256, coarser than the Q differences the search compares.
        with _autocast_off(features.device.type):
            values = self.value_heads[phase](features.float())
        return self.policy_heads[phase](features), values

    def describe(self) -> dict[str, Any]:
        """What a checkpoint records to refuse weights of another shape."""
        return {"parameters": int(sum(p.numel() for p in self.parameters())),
                "policy_heads": ["spatial" if isinstance(h, _SpatialPolicyHead) else "linear"
                                 for h in self.policy_heads],
                "shapes": {name: list(t.shape) for name, t in self.state_dict().items()}}


class NetworkEvaluator:
    """The search's ``Evaluator`` backed by an :class:`AlphaZeroNetwork`.

    ``evaluate(task, states)`` returns prior logits ``[B, A_max]`` (columns past a phase's
    action count are 0; the search masks them) and values ``[B, P]`` in **seat order**.
    States must not be terminal (the search scores terminal states itself).
    """

    def __init__(self, network: AlphaZeroNetwork, device: str | torch.device = "auto",
                 bf16: bool | None = None) -> None:
        self.device = resolve_device(device)
        self.network = network.to(self.device)
        self.bf16 = bf16
        """bf16 autocast for forward passes: None is bf16 on CUDA and float32 on a CPU (``selfplay.precision``)."""
        self.calls = 0
        """Network forward passes so far (one per phase present in a batch)."""
        self.positions = 0
        """Positions evaluated so far."""

    def evaluate(self, task: Task, states: Sequence[Any]) -> Evaluation:
        spec = task.spec
        count = len(states)
        logits = np.zeros((count, spec.max_actions), np.float32)
        values = np.zeros((count, spec.num_players), np.float32)
        if count == 0:
            return Evaluation(prior_logits=logits, values=values)
        phases = np.fromiter((task.phase(s) for s in states), np.int64, count)
        movers = np.fromiter((task.to_play(s) for s in states), np.int64, count)
        for phase in np.unique(phases):
            index = np.flatnonzero(phases == phase)
            batch = np.stack([task.observe(states[i]) for i in index]).astype(np.float32, copy=False)
            phase_logits, phase_values = self.forward(batch, int(phase))
            logits[index, : phase_logits.shape[1]] = phase_logits
            values[index] = phase_values
        self.positions += count
        return Evaluation(prior_logits=logits, values=rotate_to_seats(values, movers).astype(np.float32))

    def forward(self, observations: np.ndarray, phase: int) -> tuple[np.ndarray, np.ndarray]:
        """Raw network output for a batch of one phase: logits ``[B, A_phase]``, mover-relative values ``[B, P]``.

        Always an eval-mode forward (batch norm on its running statistics, left untouched), whatever mode the
        network is in: a network shared with a trainer is in training mode between gradient steps.
        """
        tensor = torch.from_numpy(np.ascontiguousarray(observations)).to(self.device, non_blocking=True)
        was_training = self.network.training
        self.network.eval()
        try:
            with torch.inference_mode(), autocast(self.device, self.bf16):
                phase_logits, phase_values = inference_module(self.network)(tensor, phase)  # batch norm folded
        finally:
            self.network.train(was_training)
        self.calls += 1
        return phase_logits.float().cpu().numpy(), phase_values.float().cpu().numpy()
