"""The one job format of self-play in other processes (worker processes, Ray actors).

In: the run config as JSON-ready data (the worker builds task, network and :class:`SelfPlay` from it,
:func:`build_worker`), the weights as safetensors bytes, and a job: games to play, a seed and the
current resignation threshold. Out (:func:`run_job`): a dict of plain values and NumPy arrays, the
positions packed as below plus the job's counters; :func:`az_pz.selfplay.stats.merge_result` adds it up.
Nothing of ours is pickled: the same arrays could go to an ``.npz`` file.

Packed positions (see :data:`az_pz.selfplay.stats.Position`):

* ``phases`` int16 ``[n]``;
* ``observations_{p}`` float32 ``[n_p, C_p, H_p, W_p]`` for every phase ``p`` (rows of that phase, in order);
* ``policies`` float32 ``[n, A_max]`` and ``masks`` bool ``[n, A_max]``, zero / False past the phase's actions;
* ``values`` float32 ``[n, P]``, mover-relative (index 0 = the player to move).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from az_pz.selfplay.stats import COUNTERS, Position
from az_pz.task import TaskSpec

__all__ = ["build_worker", "pack_positions", "run_job", "unpack_positions"]


def pack_positions(positions: list[Position], spec: TaskSpec) -> dict[str, np.ndarray]:
    """Positions -> arrays (layout in the module docstring)."""
    n = len(positions)
    phases = np.fromiter((p[1] for p in positions), np.int16, n)
    policies = np.zeros((n, spec.max_actions), np.float32)
    masks = np.zeros((n, spec.max_actions), bool)
    values = np.zeros((n, spec.num_players), np.float32)
    by_phase: list[list[np.ndarray]] = [[] for _ in spec.phases]
    for i, (observation, phase, policy, value, mask) in enumerate(positions):
        policies[i, : len(policy)] = policy
        masks[i, : len(mask)] = mask
        values[i] = value
        by_phase[phase].append(observation)
    arrays = {"phases": phases, "policies": policies, "masks": masks, "values": values}
    for p, phase_spec in enumerate(spec.phases):
        arrays[f"observations_{p}"] = (np.stack(by_phase[p]).astype(np.float32, copy=False) if by_phase[p]
                                       else np.zeros((0, *phase_spec.observation_shape), np.float32))
    return arrays


def unpack_positions(arrays: dict[str, np.ndarray], spec: TaskSpec) -> list[Position]:
    """Inverse of :func:`pack_positions`; policies and masks come back cut to their phase's actions."""
    phases = np.asarray(arrays["phases"])
    next_row = [0] * spec.num_phases
    out: list[Position] = []
    for i, phase in enumerate(phases.tolist()):
        actions = spec.phases[phase].num_actions
        observation = arrays[f"observations_{phase}"][next_row[phase]]
        next_row[phase] += 1
        out.append((observation, phase, arrays["policies"][i, :actions], arrays["values"][i],
                    arrays["masks"][i, :actions]))
    return out


def build_worker(run_config: dict[str, Any], device: str, concurrent_games: int | None = None) -> tuple[Any, Any, Any]:
    """``(task, network, selfplay)`` of a worker, built from the run config by game name (never by code)."""
    from az_pz.config import config_from_json
    from az_pz.games import make_task
    from az_pz.network import AlphaZeroNetwork, NetworkEvaluator, resolve_device
    from az_pz.precision import resolve_precision
    from az_pz.selfplay.loop import SelfPlay

    config = config_from_json(run_config)
    task = make_task(config.game, **config.env_kwargs)
    network = AlphaZeroNetwork(task.spec, config.network)
    network.eval()
    selfplay_config = config.selfplay
    if concurrent_games is not None:
        selfplay_config = dataclasses.replace(selfplay_config,
                                              concurrent_games=min(selfplay_config.concurrent_games, concurrent_games))
    precision = resolve_precision(config.selfplay.precision, resolve_device(device), network,
                                  task.spec.phases[0].observation_shape)  # each worker for its own device
    evaluator = NetworkEvaluator(network, device, bf16=precision.bf16)
    return task, network, SelfPlay(task, evaluator, config.search, selfplay_config)


def run_job(selfplay: Any, games: int, seed: int, resign_threshold: float | None) -> dict[str, Any]:
    """Play one job: ``games`` games seeded ``seed`` from the learner's ``resign_threshold``. Returns the job's
    packed positions, its counters (:data:`~az_pz.selfplay.stats.COUNTERS` and the resignation checks), its
    games' returns and actions, and the threshold it ended with."""
    selfplay.resign_threshold = resign_threshold
    selfplay.resign_playouts = selfplay.resign_false_positives = 0
    positions, stats = selfplay.play(games, np.random.default_rng(seed))
    spec = selfplay.task.spec
    result: dict[str, Any] = {key: getattr(stats, key) for key in COUNTERS}
    result.update({
        "seconds": stats.seconds,
        "resign_playouts": stats.resign_playouts, "resign_false_positives": stats.resign_false_positives,
        "resign_threshold": selfplay.resign_threshold,
        "returns": (np.stack(stats.returns).astype(np.float32) if stats.returns
                    else np.zeros((0, spec.num_players), np.float32)),
        "game_actions": stats.game_actions,
    })
    result.update(pack_positions(positions, spec))
    return result
