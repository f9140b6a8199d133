"""The search's evaluator on onnxruntime: the same network, exported to ONNX, run without torch's overhead.

On the 2-core CPU of ``docs/bench.md`` onnxruntime evaluates the preset networks 3-8x faster than
torch at batch 1 (a move-time search sends one leaf at a time) and 1.0-1.8x at self-play batches;
a statically quantized int8 copy is 3-5x faster than torch at batches of 64-256, at a cost in
accuracy measured there. ``OnnxEvaluator`` is a :class:`~az_pz.network.NetworkEvaluator` whose
``forward`` runs an onnxruntime session built from a snapshot of the network's weights: use it to
*play* (``AlphaZeroAgent(..., evaluator="onnx")``, ``az-pz eval/play --evaluator onnx``), not to
train (weights updated after construction are not seen).

Precisions:

* ``"fp32"``: the exported graph as it is (outputs within 1e-4 of torch's).
* ``"int8"``: ``onnxruntime.quantization.quantize_static`` (QDQ, per-channel int8 weights, uint8
  activations) calibrated on positions of random games of the task. Single-phase networks only.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import torch

from az_pz.network import AlphaZeroNetwork, NetworkEvaluator

__all__ = ["EVALUATORS", "OnnxEvaluator", "make_evaluator"]

EVALUATORS = ("torch", "onnx", "onnx-int8")
"""Names accepted by :func:`make_evaluator` (and ``--evaluator``)."""

CALIBRATION_POSITIONS = 256
"""Positions of random games an int8 model is calibrated on."""


def make_evaluator(kind: str, network: AlphaZeroNetwork, task: Any, device: Any = "auto") -> NetworkEvaluator:
    """``"torch"``: :class:`NetworkEvaluator`; ``"onnx"`` / ``"onnx-int8"``: :class:`OnnxEvaluator` (CPU)."""
    if kind == "torch":
        return NetworkEvaluator(network, device)
    if kind in ("onnx", "onnx-int8"):
        return OnnxEvaluator(network, task, precision="int8" if kind == "onnx-int8" else "fp32")
    raise ValueError(f"unknown evaluator {kind!r}: expected one of {', '.join(EVALUATORS)}")


class OnnxEvaluator(NetworkEvaluator):
    """``NetworkEvaluator`` whose forward pass runs in onnxruntime (CPU).

    Args:
        network: the trained network (exported once, at construction).
        task: its task (spec; int8 calibration plays random games of it).
        precision: ``"fp32"`` or ``"int8"`` (static quantization, single-phase networks).
        threads: onnxruntime intra-op threads (default: torch's ``get_num_threads()``).
        seed: seed of the calibration games.
    """

    def __init__(self, network: AlphaZeroNetwork, task: Any, *, precision: str = "fp32", threads: int | None = None,
                 seed: int = 0) -> None:
        try:
            import onnxruntime as ort
        except ImportError:
            raise ImportError("the onnx evaluator needs onnxruntime: pip install 'az_pz[onnx]'") from None
        if precision not in ("fp32", "int8"):
            raise ValueError(f"precision must be 'fp32' or 'int8', got {precision!r}")
        if precision == "int8" and task.spec.num_phases != 1:
            raise ValueError(f"int8 quantization supports single-phase networks; {task.spec.name} has "
                             f"{task.spec.num_phases} phases (use precision='fp32')")
        super().__init__(network, "cpu")
        self.precision = precision
        """``"fp32"`` or ``"int8"``."""
        self.task = task
        from az_pz.export import export_onnx, output_names

        self._names = output_names(task.spec.num_phases)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or torch.get_num_threads()
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        with tempfile.TemporaryDirectory(prefix="az_pz_onnx_") as tmp:
            path = Path(tmp) / "network.onnx"
            export_onnx(network, path, task=task, verify=False)
            if precision == "int8":
                path = _quantize_static(path, random_game_observations(task, CALIBRATION_POSITIONS, seed),
                                        self._names[0][0])
            self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
            """The onnxruntime session (the model lives in memory; its temporary files are gone)."""
        self._empty = [np.zeros((0, *p.observation_shape), np.float32) for p in task.spec.phases]

    def forward(self, observations: np.ndarray, phase: int) -> tuple[np.ndarray, np.ndarray]:
        """Logits ``[B, A_phase]`` and mover-relative values ``[B, P]`` of one phase's observations."""
        feeds = {name: self._empty[k] for k, (name, _, _) in enumerate(self._names)}
        feeds[self._names[phase][0]] = np.ascontiguousarray(observations, np.float32)
        logits, values = self.session.run(list(self._names[phase][1:]), feeds)
        self.calls += 1
        return logits, values


def random_game_observations(task: Any, count: int, seed: int = 0) -> np.ndarray:
    """float32 ``[count, C, H, W]``: observations along random games of ``task`` (int8 calibration data)."""
    from az_pz.testing import random_game_states

    return np.stack([task.observe(s) for s in random_game_states(task, count, seed)]).astype(np.float32)


def _quantize_static(path: Path, calibration: np.ndarray, input_name: str) -> Path:
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    class _Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self._batches = iter([{input_name: calibration[i:i + 32]} for i in range(0, len(calibration), 32)])

        def get_next(self) -> dict[str, np.ndarray] | None:
            return next(self._batches, None)

    prepared, quantized = path.with_name("prepared.onnx"), path.with_name("int8.onnx")
    quant_pre_process(str(path), str(prepared))
    quantize_static(str(prepared), str(quantized), _Reader(), quant_format=QuantFormat.QDQ, per_channel=True,
                    activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8)
    return quantized if os.path.getsize(quantized) else path
