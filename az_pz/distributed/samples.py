"""Self-play positions packed into a few NumPy arrays for the trip between processes.

A worker's batch of positions (see :data:`az_pz.selfplay.Position`) travels as plain arrays,
which Ray moves through its object store without copying them per position:

* ``phases`` int16 ``[n]``;
* ``observations_{p}`` float32 ``[n_p, C_p, H_p, W_p]`` for every phase ``p`` (rows of that phase, in order);
* ``policies`` float32 ``[n, A_max]`` and ``masks`` bool ``[n, A_max]``, zero / False past the phase's actions;
* ``values`` float32 ``[n, P]``, mover-relative (index 0 = the player to move).

No Ray and no pickle here: the same arrays could go to an ``.npz`` file.
"""

from __future__ import annotations

import numpy as np

from az_pz.selfplay import Position
from az_pz.task import TaskSpec

__all__ = ["pack_positions", "unpack_positions"]


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
