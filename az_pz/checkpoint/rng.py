"""RNG states as JSON, saved with every checkpoint so that a resumed run draws what an uninterrupted one would."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

__all__ = ["restore_rng_state", "rng_state"]


def rng_state(generator: np.random.Generator) -> dict[str, Any]:
    """JSON-ready RNG states: the run's numpy Generator, numpy's global state, torch and python random, and
    (``torch_cuda``, one base64 string per device) torch's CUDA generators once this process has used CUDA.

    A process that never touched CUDA has nothing to save there, and asking would start a CUDA context on
    every device, so CPU runs (on any machine) write exactly what they wrote before.
    """
    import random

    legacy = np.random.get_state()
    py = random.getstate()
    state = {
        "numpy_generator": generator.bit_generator.state,
        "numpy_global": [legacy[0], legacy[1].tolist(), *legacy[2:]],
        "torch": _b64(torch.get_rng_state()),
        "python": [py[0], list(py[1]), py[2]],
    }
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state["torch_cuda"] = [_b64(device_state) for device_state in torch.cuda.get_rng_state_all()]
    return state


def restore_rng_state(state: dict[str, Any], generator: np.random.Generator) -> None:
    """Put back what :func:`rng_state` saved. The CUDA generators are restored when this machine has as many
    CUDA devices as the saving one (a warning says so otherwise: the run goes on, not bit-for-bit)."""
    import random
    import warnings

    generator.bit_generator.state = state["numpy_generator"]
    legacy = state["numpy_global"]
    np.random.set_state((legacy[0], np.array(legacy[1], np.uint32), *legacy[2:]))
    torch.set_rng_state(_from_b64(state["torch"]))
    py = state["python"]
    random.setstate((py[0], tuple(py[1]), py[2]))
    saved_cuda = state.get("torch_cuda")
    if not saved_cuda:  # saved by a process that never used CUDA
        return
    here = torch.cuda.device_count() if torch.cuda.is_available() else 0
    if here == len(saved_cuda):
        torch.cuda.set_rng_state_all([_from_b64(device_state) for device_state in saved_cuda])
    else:
        warnings.warn(f"the checkpoint holds CUDA RNG states for {len(saved_cuda)} device(s) and this machine has "
                      f"{here}: they are not restored, so the resumed run's CUDA random numbers differ",
                      RuntimeWarning, stacklevel=2)


def _b64(rng: torch.Tensor) -> str:
    """A torch RNG state (uint8 tensor, CPU) as base64 text for JSON."""
    import base64

    return base64.b64encode(rng.cpu().numpy().tobytes()).decode()


def _from_b64(text: str) -> torch.Tensor:
    import base64

    return torch.from_numpy(np.frombuffer(base64.b64decode(text), np.uint8).copy())
