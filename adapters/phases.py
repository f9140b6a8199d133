"""How :class:`~az_pz.adapters.pettingzoo.PettingZooTask` tells the phases of a game apart.

A phase is known by its *signature*, (number of actions, the env's observation shape) of the player to move, or
by a user ``phase_fn(raw_env) -> int``. The phases are found when the task is built, by playing ``probe_steps``
random legal moves from the start (:meth:`Phases.probe`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from az_pz.adapters.snapshot import EnvSnapshot, advance
from az_pz.task import PhaseSpec

Convert = Callable[[Any, int], np.ndarray]
"""``convert(env_observation, seat) -> CHW float32`` (the task's own conversion)."""


class Phases:
    """The phases of one game: signature to phase index, filled by :meth:`probe`."""

    def __init__(self, phase_fn: Callable[[Any], int] | None, convert: Convert):
        self.phase_fn = phase_fn
        """The user's ``phase_fn(raw_env) -> int``, or None (phases told apart by signature)."""
        self.index: dict[Any, int] = {}
        """Signature (or ``phase_fn`` value) -> phase index."""
        self._convert = convert

    def signature(self, state: EnvSnapshot) -> Any:
        """What tells the phase of ``state`` (not terminal): ``phase_fn``'s value, or (actions, env obs shape)."""
        obs, mask = state._observe()
        if self.phase_fn is not None:
            return int(self.phase_fn(state._core.unwrapped))
        return (len(mask), np.shape(obs))  # the env's own (HWC) shape: no conversion needed

    def phase(self, state: EnvSnapshot) -> int:
        """The phase index of ``state``; a ValueError when its signature was not seen while probing."""
        signature = self.signature(state)
        index = self.index.get(signature)
        if index is None:
            raise ValueError(
                f"this position's phase {signature} (actions, env observation shape) was not seen when the task "
                f"was built (known: {list(self.index)}); raise probe_steps or pass a phase_fn"
            )
        return index

    def probe(self, env: Any, probe_steps: int, seat_of: dict[Any, int]) -> tuple[PhaseSpec, ...]:
        """Play random legal moves from the start and record each phase's (observation shape, actions)."""
        found: dict[int, PhaseSpec] = {}
        rng = np.random.default_rng(0)
        games, steps = 0, 0
        while True:
            state = EnvSnapshot(env)
            if not state._terminal:
                self._record(state, found)
            if steps >= probe_steps:
                break
            if state._terminal:
                games += 1
                env.reset(seed=games)
                continue
            legal = np.flatnonzero(state._observe()[1])
            advance(env, int(rng.choice(legal)), len(seat_of), seat_of)
            steps += 1
        missing = sorted(set(range(max(found) + 1)) - set(found))
        if missing:
            raise ValueError(
                f"phase_fn returned phases {sorted(found)} while probing; phases {missing} were never seen: "
                "raise probe_steps"
            )
        return tuple(found[i] for i in range(len(found)))

    def _record(self, state: EnvSnapshot, found: dict[int, PhaseSpec]) -> None:
        obs, mask = state._observe()
        spec = PhaseSpec(self._convert(obs, 0).shape, len(mask))
        actions = int(state._core.action_space(state._agent).n)
        if len(mask) != actions:
            raise ValueError(
                f"the action mask of {state._agent!r} has {len(mask)} entries but its action space has "
                f"{actions} actions"
            )
        signature = self.signature(state)
        if self.phase_fn is not None:
            if signature < 0:
                raise ValueError(f"phase_fn returned {signature}; phases are numbered from 0")
            index = self.index[signature] = signature
        else:
            index = self.index.setdefault(signature, len(self.index))
        if index in found and found[index] != spec:
            raise ValueError(f"phase {index} has two shapes: {found[index]} and {spec}")
        found[index] = spec
