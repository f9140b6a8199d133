"""Replay buffer: a NumPy ring of training positions, saved as ``.npz`` without pickle.

One position holds the observation (float32 ``[C, H, W]`` of its phase, from the perspective of
the player to move), its phase, the search's policy target (float32 ``[A_max]``, zero past the
phase's action count), the value target (float32 ``[P]``, **mover-relative**: index 0 is the
player to move) and the legal mask (bool ``[A_max]``). Observations of different phases may
differ in shape, so each phase has its own observation array indexed by the same ring slot.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

import numpy as np

from az_pz.atomic_files import atomic_save_npz, load_npz
from az_pz.task import TaskSpec

__all__ = ["PhaseBatch", "ReplayBuffer", "merge_batches"]

_FORMAT = "az_pz.replay/1"


@dataclass(frozen=True)
class PhaseBatch:
    """Training positions of one phase: observations ``[n, C, H, W]``, policies ``[n, A_phase]``,
    values ``[n, P]`` (mover-relative), masks bool ``[n, A_phase]``."""

    phase: int
    observations: np.ndarray
    policies: np.ndarray
    values: np.ndarray
    masks: np.ndarray


def merge_batches(batches: list[PhaseBatch]) -> list[PhaseBatch]:
    """One batch per phase from batches of several sources (e.g. self-play and recorded games)."""
    by_phase: dict[int, list[PhaseBatch]] = {}
    for batch in batches:
        by_phase.setdefault(batch.phase, []).append(batch)
    return [group[0] if len(group) == 1 else PhaseBatch(
        phase=phase,
        observations=np.concatenate([b.observations for b in group]),
        policies=np.concatenate([b.policies for b in group]),
        values=np.concatenate([b.values for b in group]),
        masks=np.concatenate([b.masks for b in group]),
    ) for phase, group in sorted(by_phase.items())]


class ReplayBuffer:
    """A fixed-capacity ring: the newest positions overwrite the oldest."""

    def __init__(self, spec: TaskSpec, capacity: int) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be >= 1, got {capacity}")
        self.spec = spec
        self.capacity = capacity
        self.observations = [np.zeros((capacity, *p.observation_shape), np.float32) for p in spec.phases]
        """One array per phase, ``[capacity, C_p, H_p, W_p]``; slot i is valid in the array of ``phases[i]``."""
        self.phases = np.zeros(capacity, np.int16)
        self.policies = np.zeros((capacity, spec.max_actions), np.float32)
        self.values = np.zeros((capacity, spec.num_players), np.float32)
        self.masks = np.zeros((capacity, spec.max_actions), bool)
        self.position = 0
        """Next slot to write."""
        self.size = 0
        """Slots filled."""
        self.total_added = 0
        """Positions ever added (counter kept across resumes)."""

    def __len__(self) -> int:
        return self.size

    def add(self, observation: np.ndarray, phase: int, policy: np.ndarray, value: np.ndarray, mask: np.ndarray) -> None:
        """Add one position (shapes as in the module docstring; ``policy`` and ``mask`` may be ``[A_phase]``)."""
        slot = self.position
        actions = len(policy)
        self.observations[phase][slot] = observation
        self.phases[slot] = phase
        self.policies[slot, :actions] = policy
        self.policies[slot, actions:] = 0.0
        self.values[slot] = value
        self.masks[slot, :actions] = mask
        self.masks[slot, actions:] = False
        self.position = (slot + 1) % self.capacity
        self.size = min(self.size + 1, self.capacity)
        self.total_added += 1

    def sample(self, batch_size: int, rng: np.random.Generator) -> list[PhaseBatch]:
        """``batch_size`` positions drawn uniformly (with replacement), grouped by phase."""
        if self.size == 0:
            raise ValueError("cannot sample from an empty replay buffer")
        index = rng.integers(0, self.size, size=batch_size)
        batches = []
        for phase in np.unique(self.phases[index]):
            rows = index[self.phases[index] == phase]
            actions = self.spec.phases[phase].num_actions
            batches.append(PhaseBatch(
                phase=int(phase),
                observations=self.observations[phase][rows],
                policies=self.policies[rows, :actions],
                values=self.values[rows],
                masks=self.masks[rows, :actions],
            ))
        return batches

    # ------------------------------------------------------------------ persistence

    def save(self, path: str | os.PathLike) -> None:
        """Write the filled part to ``path`` (npz, compressed, atomic; no pickle)."""
        n = self.size
        meta = {"format": _FORMAT, "spec": self.spec.to_json(), "capacity": self.capacity,
                "position": self.position, "size": n, "total_added": self.total_added}
        arrays = {f"observations_{p}": self.observations[p][:n] for p in range(self.spec.num_phases)}
        atomic_save_npz(path, compress=True, meta=np.frombuffer(json.dumps(meta).encode(), np.uint8),
                        phases=self.phases[:n], policies=self.policies[:n], values=self.values[:n],
                        masks=self.masks[:n], **arrays)

    @classmethod
    def load(cls, path: str | os.PathLike, spec: TaskSpec, capacity: int | None = None) -> "ReplayBuffer":
        """Read a buffer written by :meth:`save`; a foreign file or another game's buffer raises ``ValueError``.

        ``capacity`` (default: the saved one) may differ from the saved capacity; the newest positions are kept.
        """
        data = load_npz(path)
        try:
            meta = json.loads(bytes(data["meta"]).decode())
        except (KeyError, ValueError) as error:
            raise ValueError(f"{path} is not an az_pz replay buffer (no readable 'meta')") from error
        if meta.get("format") != _FORMAT:
            raise ValueError(f"{path} is not an az_pz replay buffer (format {meta.get('format')!r})")
        if meta["spec"] != spec.to_json():
            raise ValueError(f"{path} holds positions of another game ({meta['spec']['name']!r}, "
                             f"{meta['spec']['phases']}); expected {spec.name!r}")
        n = int(meta["size"])
        buffer = cls(spec, int(capacity or meta["capacity"]))
        saved_capacity = int(meta["capacity"])
        if buffer.capacity == saved_capacity:
            order = np.arange(n)  # same layout: sampling continues exactly as before the save
        else:  # unroll the saved ring oldest-first, then keep the newest that fit
            start = int(meta["position"]) if n == saved_capacity else 0
            order = (np.arange(n) + start) % max(n, 1)
            order = order[max(0, n - buffer.capacity):]
        m = len(order)
        try:
            for p in range(spec.num_phases):
                buffer.observations[p][:m] = data[f"observations_{p}"][order]
            buffer.phases[:m] = data["phases"][order]
            buffer.policies[:m] = data["policies"][order]
            buffer.values[:m] = data["values"][order]
            buffer.masks[:m] = data["masks"][order]
        except (KeyError, ValueError, IndexError) as error:
            raise ValueError(f"{path} is an inconsistent replay buffer: {error}") from error
        buffer.size = m
        buffer.position = int(meta["position"]) if buffer.capacity == saved_capacity else m % buffer.capacity
        buffer.total_added = int(meta.get("total_added", m))
        return buffer
