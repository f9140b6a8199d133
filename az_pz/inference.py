"""A lean inference copy of a network: batch norm folded into the convolutions, kept in sync.

During self-play the network only ever runs forward in eval mode, where a batch norm is a fixed
per-channel affine map ``y = (x - mean) / sqrt(var + eps) * gamma + beta``. Folding it into the
convolution before it (``W' = W * s``, ``b' = beta + (b - mean) * s`` with ``s = gamma / sqrt(var + eps)``)
removes one memory pass per convolution; at batch 1 on a CPU that is about 1.5x more evaluations/s
for the connect four reference network (see ``docs/bench.md``). Optional extras where they pay:
channels-last memory layout and ``torch.compile`` (slow to compile on a CPU, so off by default;
``mode="reduce-overhead"`` gives CUDA graphs on a GPU).

:func:`inference_module` is what an evaluator calls on every forward: it returns a cached copy,
rebuilt only when a parameter or buffer of the training network changed (optimizer steps,
``load_state_dict`` and ``.to(device)`` all do), so training and self-play can share one network.
"""

from __future__ import annotations

import copy
import weakref
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn
from torch.nn.utils.fusion import fuse_conv_bn_eval

__all__ = ["InferenceOptions", "fold_batch_norm", "inference_copy", "inference_module",
           "set_inference_options"]


@dataclass(frozen=True)
class InferenceOptions:
    """How :func:`inference_copy` prepares a network for inference."""

    fold_batch_norm: bool = True
    """Fold each eval-mode BatchNorm2d into the Conv2d before it (exact up to float rounding)."""
    channels_last: bool = False
    """Store convolution weights channels-last (NHWC); inputs are converted on the way in."""
    compile: bool = False
    """``torch.compile`` the copy (minutes on a small CPU; pays on CUDA with large batches)."""
    compile_mode: str | None = None
    """``torch.compile`` mode; ``"reduce-overhead"`` uses CUDA graphs on a GPU."""


def fold_batch_norm(module: nn.Module) -> nn.Module:
    """Fold, in place, every ``BatchNorm2d`` that directly follows a ``Conv2d`` into it; returns ``module``.

    Two layouts are recognised: consecutive children of an ``nn.Sequential`` (stems and heads), and
    sibling attributes ``convN`` / ``bnN`` of one module (residual blocks). The module must be in eval mode.
    """
    for child in list(module.children()):
        fold_batch_norm(child)
    if isinstance(module, nn.Sequential):
        for i in range(len(module) - 1):
            conv, norm = module[i], module[i + 1]
            if isinstance(conv, nn.Conv2d) and isinstance(norm, nn.BatchNorm2d):
                module[i], module[i + 1] = fuse_conv_bn_eval(conv, norm), nn.Identity()
        return module
    children = dict(module.named_children())
    for name, conv in children.items():
        norm = children.get("bn" + name[len("conv"):]) if name.startswith("conv") else None
        if isinstance(conv, nn.Conv2d) and isinstance(norm, nn.BatchNorm2d):
            setattr(module, name, fuse_conv_bn_eval(conv, norm))
            setattr(module, "bn" + name[len("conv"):], nn.Identity())
    return module


class _ChannelsLast(nn.Module):
    """Runs the wrapped network on channels-last inputs."""

    def __init__(self, network: nn.Module) -> None:
        super().__init__()
        self.network = network

    def forward(self, observations: torch.Tensor, phase: int = 0) -> Any:
        if observations.dim() == 4:
            observations = observations.contiguous(memory_format=torch.channels_last)
        return self.network(observations, phase)


def inference_copy(network: nn.Module, options: InferenceOptions = InferenceOptions()) -> nn.Module:
    """A detached eval-mode copy of ``network`` prepared for inference; ``network`` itself is untouched.

    The copy has the same call signature (``copy(observations [B, C, H, W], phase) -> (logits, values)``)
    and gives the same outputs up to float rounding.
    """
    prepared = copy.deepcopy(network).eval()
    for parameter in prepared.parameters():
        parameter.requires_grad_(False)
    if options.fold_batch_norm:
        fold_batch_norm(prepared)
    if options.channels_last:
        prepared = _ChannelsLast(prepared.to(memory_format=torch.channels_last))
    if options.compile:
        prepared = torch.compile(prepared, mode=options.compile_mode, dynamic=True)
    return prepared


_OPTIONS = InferenceOptions()
_CACHE: "weakref.WeakKeyDictionary[nn.Module, _Entry]" = weakref.WeakKeyDictionary()


@dataclass
class _Entry:
    tensors: list[torch.Tensor]
    """The network's parameters and buffers, listed once (walking the module tree costs ~100 µs a call)."""
    signature: list[tuple[int, int]]
    options: InferenceOptions
    prepared: nn.Module


def set_inference_options(options: InferenceOptions) -> InferenceOptions:
    """Set the options :func:`inference_module` prepares copies with (process-wide); returns the old ones."""
    global _OPTIONS
    old, _OPTIONS = _OPTIONS, options
    return old


def _signature(tensors: list[torch.Tensor]) -> list[tuple[int, int]]:
    """Changes whenever a tensor is written in place (version counter) or moved (storage pointer)."""
    return [(t._version, t.data_ptr()) for t in tensors]


def inference_module(network: nn.Module) -> nn.Module:
    """The cached inference copy of ``network``, rebuilt when its weights changed since the last call.

    Optimizer steps, ``load_state_dict`` (which copies in place) and ``.to(device)`` are detected by the
    tensors' version counters and storage. MLP networks (no convolution) are returned as they are:
    there is nothing to fold. A network in training mode is returned as it is (a training-mode
    forward must keep its batch statistics).
    """
    if network.training:
        return network
    entry = _CACHE.get(network)
    if entry is not None and entry.options == _OPTIONS and _signature(entry.tensors) == entry.signature:
        return entry.prepared
    tensors = [*network.parameters(), *network.buffers()]
    convolutional = any(isinstance(m, nn.BatchNorm2d) for m in network.modules())
    prepared = inference_copy(network, _OPTIONS) if convolutional else network
    _CACHE[network] = _Entry(tensors, _signature(tensors), _OPTIONS, prepared)
    return prepared
