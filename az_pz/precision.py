"""The number format self-play's network evaluations run in (``selfplay.precision``).

Self-play spends most of its time in batched forward passes of the network, and a CPU with native bfloat16
arithmetic (AVX512-BF16, AMX) runs them in bf16 autocast up to twice as fast at the batches self-play makes
(docs/bench.md); a CPU without it emulates bf16 and runs slower. Rather than trust a flag, ``"fastest"``
times the run's own network both ways once at start-up and keeps the faster. Training steps stay in float32
on a CPU. bf16 keeps 8 significant bits: the value head runs in float32 under it (az_pz.network).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch

from az_pz.config.schema import PRECISIONS

__all__ = ["PRECISIONS", "Precision", "cpu_has_native_bf16", "resolve_precision"]


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
    if precision not in PRECISIONS:
        raise ValueError(f"selfplay.precision must be one of {', '.join(PRECISIONS)}, got {precision!r}")
    if precision in ("float32", "bfloat16"):
        return Precision(precision, "as set")
    if device.type == "cuda":
        return Precision("bfloat16", "CUDA")
    if precision == "auto":
        return Precision("float32", "CPU")
    if not cpu_has_native_bf16():
        return Precision("float32", "this CPU has no native bf16")
    if network is None:
        raise ValueError("precision 'fastest' on a CPU needs the network to time")
    seconds = {name: _time_forward(network, observation_shape, batch, name == "bfloat16")
               for name in ("float32", "bfloat16", "float32", "bfloat16")}  # the second round of each counts
    ratio = seconds["float32"] / seconds["bfloat16"]
    chosen = "bfloat16" if ratio > 1.1 else "float32"
    return Precision(chosen, f"bf16 ran {ratio:.2f}x float32's speed at batch {batch}")


def _time_forward(network: torch.nn.Module, shape: tuple[int, ...], batch: int, bf16: bool,
                  min_seconds: float = 0.3) -> float:
    """Seconds per forward pass (at least ``min_seconds`` of passes, after one warm-up)."""
    from az_pz.inference import inference_module

    was_training = network.training
    network.eval()
    try:
        module = inference_module(network)
        tensor = torch.from_numpy(np.zeros((batch, *shape), np.float32))
        context = torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16)
        with torch.inference_mode(), context:
            module(tensor, 0)
            start, passes = time.perf_counter(), 0
            while time.perf_counter() - start < min_seconds:
                module(tensor, 0)
                passes += 1
    finally:
        network.train(was_training)
    return (time.perf_counter() - start) / passes
