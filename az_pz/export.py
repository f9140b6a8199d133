"""Export a trained network to ONNX, with a JSON sidecar that says how to feed it and read it.

``export_onnx(source, "net.onnx")`` loads a run directory, checkpoint directory or agent ``.zip``
(``AlphaZeroAgent.load``), traces the network for every phase at once and writes:

* ``net.onnx``: one graph; per phase ``k`` an input ``observation`` (``observation_k`` when the game
  has several phases), float32 ``[B, C, H, W]``, and two outputs: ``policy_logits`` (``_k``)
  ``[B, A_k]`` and ``values`` (``_k``) ``[B, P]``. ``B`` is dynamic (``batch=None``) or fixed.
* ``net.onnx.json``: the sidecar (format ``az_pz.onnx/1``): game, env kwargs, task spec, per phase
  the input and output names, shapes and action counts, and how to read the outputs.

Reading the outputs (the same as ``AlphaZeroNetwork.forward``):

* ``policy_logits`` are unnormalised log-probabilities over the phase's actions (PettingZoo action
  numbers); set illegal actions to ``-inf`` and take a softmax.
* ``values`` are ``tanh`` outputs in ``[-1, 1]``, the expected final reward of every seat **relative
  to the player to move**: column 0 is the mover, column ``i`` is seat ``(mover + i) % P``.
* The observation is ``Task.observe(state)`` of ``az_pz.make_task(game, **env_kwargs)``: channels
  first, from the view of the player to move.

The export uses torch's TorchScript-based exporter (``dynamo=False``): it needs no extra package
and handles every layer az_pz networks use. ``verify_onnx`` runs onnxruntime against torch.
"""

from __future__ import annotations

import json
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

__all__ = ["ExportResult", "export_onnx", "load_network", "output_names", "verify_onnx"]

SIDECAR_FORMAT = "az_pz.onnx/1"
DEFAULT_OPSET = 17


@dataclass(frozen=True)
class ExportResult:
    """What :func:`export_onnx` wrote."""

    onnx_path: Path
    sidecar_path: Path
    sidecar: dict[str, Any]
    max_abs_error: float | None
    """Largest |onnxruntime - torch| over every output on random observations (None if not verified)."""


class _AllPhases(nn.Module):
    """Every phase's forward in one graph: inputs ``obs_0..obs_{K-1}``, outputs ``logits_k, values_k`` per phase."""

    def __init__(self, network: nn.Module, num_phases: int) -> None:
        super().__init__()
        self.network = network
        self.num_phases = num_phases

    def forward(self, *observations: torch.Tensor) -> tuple[torch.Tensor, ...]:
        outputs: list[torch.Tensor] = []
        for phase, observation in enumerate(observations):
            logits, values = self.network(observation, phase)
            outputs += [logits, values]
        return tuple(outputs)


def output_names(num_phases: int) -> list[tuple[str, str, str]]:
    """``(input, policy output, value output)`` names of each phase."""
    if num_phases == 1:
        return [("observation", "policy_logits", "values")]
    return [(f"observation_{k}", f"policy_logits_{k}", f"values_{k}") for k in range(num_phases)]


def load_network(source: str | os.PathLike) -> tuple[Any, nn.Module]:
    """``(task, network)`` of a run directory, checkpoint directory or agent ``.zip``, on the CPU, eval mode."""
    from az_pz.agents.alphazero import AlphaZeroAgent

    agent = AlphaZeroAgent.load(source, device="cpu")
    return agent.task, agent.network.eval()


def export_onnx(source: str | os.PathLike | Any, out: str | os.PathLike, *, batch: int | None = None,
                opset: int = DEFAULT_OPSET, verify: bool = True, task: Any = None) -> ExportResult:
    """Write ``out`` (ONNX) and ``out + ".json"`` (sidecar) for a trained network.

    Args:
        source: run directory, checkpoint directory, agent ``.zip``, or an ``AlphaZeroNetwork`` (then ``task``).
        out: the ``.onnx`` path.
        batch: fixed batch size; ``None`` (default): a dynamic batch axis.
        opset: ONNX opset (17 by default; onnxruntime 1.18+ runs 7-21).
        verify: compare onnxruntime with torch on random observations (needs ``onnxruntime``).
        task: the task of ``source`` when it is a network.
    """
    from az_pz.atomic_files import atomic_write_bytes, atomic_write_json

    if batch is not None and batch < 1:
        raise ValueError(f"batch must be a positive batch size or None (dynamic), got {batch}")
    if isinstance(source, nn.Module):
        if task is None:
            raise ValueError("export_onnx(network, ...) needs task= (the network's Task)")
        network, label = source.eval(), f"<{type(source).__name__}>"
    else:
        task, network = load_network(source)
        label = str(source)
    spec = task.spec
    names = output_names(spec.num_phases)
    example = tuple(torch.zeros((batch or 2, *p.observation_shape), dtype=torch.float32) for p in spec.phases)
    dynamic = None
    if batch is None:
        dynamic = {}
        for k, (inp, logits, values) in enumerate(names):  # one axis name per phase: their batches differ
            axis = "batch" if len(names) == 1 else f"batch_{k}"
            dynamic.update({inp: {0: axis}, logits: {0: axis}, values: {0: axis}})
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    wrapper = _AllPhases(network, spec.num_phases).eval()
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore", DeprecationWarning)  # the TorchScript exporter announces its successor
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        torch.onnx.export(wrapper, example, str(temporary), dynamo=False, opset_version=opset,
                          input_names=[n[0] for n in names], output_names=[x for n in names for x in n[1:]],
                          dynamic_axes=dynamic, do_constant_folding=True)
    try:
        atomic_write_bytes(out, temporary.read_bytes())
    finally:
        temporary.unlink(missing_ok=True)
    sidecar = _sidecar(task, network, names, batch, opset, label)
    sidecar_path = Path(str(out) + ".json")
    atomic_write_json(sidecar_path, sidecar)
    error = None
    if verify:
        error = verify_onnx(out, network, task, batch=batch or 4)
    return ExportResult(out, sidecar_path, sidecar, error)


def _sidecar(task: Any, network: nn.Module, names: list[tuple[str, str, str]], batch: int | None, opset: int,
             source: str) -> dict[str, Any]:
    from az_pz.checkpoint import versions

    spec = task.spec
    phases = [
        {"index": k, "name": phase.name, "input": inp, "observation_shape": list(phase.observation_shape),
         "num_actions": phase.num_actions, "policy_output": logits, "value_output": values}
        for k, (phase, (inp, logits, values)) in enumerate(zip(spec.phases, names))
    ]
    return {
        "format": SIDECAR_FORMAT,
        "game": spec.name,
        "env_kwargs": dict(spec.env_kwargs),
        "task": spec.to_json(),
        "num_players": spec.num_players,
        "batch": "dynamic" if batch is None else batch,
        "opset": opset,
        "phases": phases,
        "network": {"config": _jsonable(getattr(network, "config", None)),
                    "parameters": int(sum(p.numel() for p in network.parameters()))},
        "source": source,
        "versions": versions(),
        "how_to_read": {
            "observation": "float32 [B, C, H, W]: Task.observe(state) of az_pz.make_task(game, **env_kwargs), "
                           "channels first, from the view of the player to move",
            "policy_logits": "float32 [B, num_actions]: unnormalised log-probabilities over the phase's actions "
                             "(PettingZoo action numbers); mask illegal actions with -inf, then softmax",
            "values": "float32 [B, num_players] in [-1, 1] (tanh): expected final reward of each seat relative to "
                      "the player to move: column 0 = the mover, column i = seat (mover + i) % num_players",
            "phases": "feed every phase's input (a batch of 0 rows for phases not needed, with a dynamic batch)",
        },
    }


def _jsonable(config: Any) -> Any:
    import dataclasses

    if config is None or not dataclasses.is_dataclass(config):
        return None
    return json.loads(json.dumps(dataclasses.asdict(config), default=str))


def verify_onnx(path: str | os.PathLike, network: nn.Module, task: Any, *, batch: int = 4,
                observations: list[np.ndarray] | None = None, seed: int = 0) -> float:
    """Largest |onnxruntime - torch| over every output, on ``observations`` (one array per phase) or random ones."""
    import onnxruntime as ort

    spec = task.spec
    names = output_names(spec.num_phases)
    rng = np.random.default_rng(seed)
    if observations is None:
        observations = [rng.standard_normal((batch, *p.observation_shape)).astype(np.float32) for p in spec.phases]
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    got = session.run(None, {n[0]: o for n, o in zip(names, observations)})
    worst = 0.0
    with torch.no_grad():
        for phase, observation in enumerate(observations):
            logits, values = network.eval()(torch.from_numpy(observation), phase)
            worst = max(worst, float(np.abs(got[2 * phase] - logits.numpy()).max(initial=0.0)),
                        float(np.abs(got[2 * phase + 1] - values.numpy()).max(initial=0.0)))
    return worst
