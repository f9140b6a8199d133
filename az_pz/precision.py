"""The number format self-play's network evaluations run in (``selfplay.precision``).

Self-play spends most of its time in batched forward passes of the network, and a CPU with native bfloat16
arithmetic (AVX512-BF16, AMX) runs them in bf16 autocast up to twice as fast at the batches self-play makes
(docs/bench.md); a CPU without it emulates bf16 and runs slower. Rather than trust a flag, ``"fastest"``
times the run's own network both ways once at start-up and keeps the faster. The gradient steps choose
theirs the same way (``train.precision``), timing one step of a scratch copy of the network; their weights
and optimizer state stay float32 (autocast). bf16 keeps 8 significant bits: the value head runs in float32
under it (az_pz.network).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from az_pz.config.schema import PRECISIONS

__all__ = ["PRECISIONS", "Precision", "cpu_has_native_bf16", "resolve_precision", "resolve_train_precision", "time_call"]


@dataclass(frozen=True)
class Precision:
    """A resolved precision and the reason it was chosen."""

    name: str
    """``"float32"`` or ``"bfloat16"``."""
    reason: str

    @property
    def bf16(self) -> bool:
        return self.name == "bfloat16"


def cpu_has_native_bf16() -> bool:
    """True where oneDNN reports bf16 instructions on this CPU (AVX512-BF16 or AMX)."""
    try:
        return bool(torch.backends.mkldnn.is_available() and torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def resolve_precision(precision: str, device: torch.device, network: torch.nn.Module | None = None,
                      observation_shape: tuple[int, ...] = (), batch: int = 256) -> Precision:
    """``float32`` or ``bfloat16`` for ``precision`` on ``device``; ``fastest`` on a CPU times ``network`` on
    ``batch`` zero observations of ``observation_shape`` (phase 0) both ways."""
    timer = None if network is None else (lambda bf16: _time_forward(network, observation_shape, batch, bf16))
    return _resolve(precision, device, timer, "selfplay.precision", f"at batch {batch}")


def resolve_train_precision(precision: str, device: torch.device,
                            time_step: Callable[[bool], float] | None = None) -> Precision:
    """``float32`` or ``bfloat16`` for the gradient steps (``train.precision``); ``fastest`` on a CPU compares
    ``time_step(bf16)``, the seconds of one training step either way (:func:`time_call`)."""
    return _resolve(precision, device, time_step, "train.precision", "for a training step")


def time_call(call: Callable[[], object], min_seconds: float = 0.3) -> float:
    """Seconds per ``call()``: the mean over at least ``min_seconds`` of calls, after one warm-up."""
    call()
    start, calls = time.perf_counter(), 0
    while time.perf_counter() - start < min_seconds:
        call()
        calls += 1
    return (time.perf_counter() - start) / calls


def _resolve(precision: str, device: torch.device, timer: Callable[[bool], float] | None, setting: str,
             where: str) -> Precision:
    if precision not in PRECISIONS:
        raise ValueError(f"{setting} must be one of {', '.join(PRECISIONS)}, got {precision!r}")
    if precision in ("float32", "bfloat16"):
        return Precision(precision, "as set")
    if device.type == "cuda":
        return Precision("bfloat16", "CUDA")
    if precision == "auto":
        return Precision("float32", "CPU")
    if not cpu_has_native_bf16():
        return Precision("float32", "this CPU has no native bf16")
    if timer is None:
        raise ValueError(f"{setting} 'fastest' on a CPU needs something to time")
    seconds = {name: timer(name == "bfloat16")
               for name in ("float32", "bfloat16", "float32", "bfloat16")}  # the second round of each counts
    ratio = seconds["float32"] / seconds["bfloat16"]
    chosen = "bfloat16" if ratio > 1.1 else "float32"
    return Precision(chosen, f"bf16 ran {ratio:.2f}x float32's speed {where}")


def _time_forward(network: torch.nn.Module, shape: tuple[int, ...], batch: int, bf16: bool) -> float:
    """Seconds per forward pass of ``network`` in inference, float32 or bf16 autocast."""
    from az_pz.inference import inference_module

    was_training = network.training
    network.eval()
    try:
        module = inference_module(network)
        tensor = torch.from_numpy(np.zeros((batch, *shape), np.float32))
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            return time_call(lambda: module(tensor, 0))
    finally:
        network.train(was_training)
