"""The Task interface: what the search and the learner know of a game.

A Task is a pure description of a turn-based game of perfect information
with any number of players and one or more *phases* (a phase is a part of the
game with its own action space and observation shape, e.g. "place a piece"
then "move a piece").

Rules every Task obeys (``az_pz.testing.check_task`` checks them):

* **Purity.** ``step(state, action)`` returns a *new* state and never changes
  the one it was given; every other method only reads its state. The search
  keeps thousands of states alive at once and relies on this.
* **Seats.** Players are numbered ``0 .. num_players - 1`` (for a PettingZoo
  env: the order of ``env.possible_agents``). ``to_play(state)`` is the seat
  that chooses the next action; it is undefined on terminal states.
* **Perspective.** ``observe(state)`` is float32 ``[C, H, W]`` seen by the
  player to move, with the shape of the current phase's ``PhaseSpec``.
* **Masks.** ``legal_mask(state)`` is bool ``[num_actions]`` of the current
  phase, with at least one True on every non-terminal state.
* **Rewards.** ``step`` returns the rewards of that transition, float32
  ``[num_players]`` in *seat order* (never relative to the mover, never
  sign-flipped). A game's return for a seat is the sum of its rewards.

Optional extras, found by name: ``symmetries`` and ``state_from_env`` /
``make_env`` (the protocols below), ``key(state)`` (a transposition key the
search compares roots by), and ``search_mask(state)``: the legal actions the
search considers, a non-empty subset of ``legal_mask`` (go leaves out
eye-filling and passing first). The rules stay those of ``legal_mask``.
``adjudicate(state)`` (:class:`SupportsAdjudicate`) estimates the returns of
an unfinished game, for self-play games cut at ``selfplay.max_moves``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar, runtime_checkable

import numpy as np

State = TypeVar("State")

POLICY_AXES = ("plane", "row", "col")
"""The axes of a spatial action layout (:attr:`PhaseSpec.policy_layout`); in this order by default."""


@dataclass(frozen=True)
class PhaseSpec:
    """What the network sees and chooses from during one phase."""

    observation_shape: tuple[int, int, int]
    """Observation shape, channels first: ``(C, H, W)``."""
    num_actions: int
    """Size of the action space (and of the legal mask) in this phase."""
    name: str = ""
    """Optional human-readable name, e.g. ``"place"`` or ``"move"``."""
    policy_planes: int = 0
    """Spatial action layout: the actions are ``P`` planes over the observation's ``H x W`` board
    (``P * H * W == num_actions``, e.g. chess: 73 move types from each of 64 squares), so a network may
    give one logit per (plane, row, col) with a convolution (AlphaZero's chess head). 0: no layout."""
    policy_layout: tuple[str, ...] = POLICY_AXES
    """How an action number splits into (plane, row, col) when ``policy_planes > 0``: the axes
    ``"plane"``, ``"row"``, ``"col"`` from the most to the least significant digit of the action
    (mixed radix ``P``, ``H``, ``W``); a ``"-"`` prefix counts that axis from its far end. Rows and
    columns are those of the observation. E.g. ``("col", "-row", "plane")``: action
    ``= (col * H + (H - 1 - row)) * P + plane``."""

    def __post_init__(self) -> None:
        if len(self.observation_shape) != 3 or min(self.observation_shape) < 1:
            raise ValueError(
                f"observation_shape must be (C, H, W) with positive sizes, got {self.observation_shape}"
            )
        if self.num_actions < 1:
            raise ValueError(f"num_actions must be at least 1, got {self.num_actions}")
        if self.policy_planes < 0:
            raise ValueError(f"policy_planes must be >= 0, got {self.policy_planes}")
        _, height, width = self.observation_shape
        if self.policy_planes and self.policy_planes * height * width != self.num_actions:
            raise ValueError(f"policy_planes * H * W ({self.policy_planes} * {height} * {width}) must equal "
                             f"num_actions ({self.num_actions})")
        object.__setattr__(self, "policy_layout", tuple(self.policy_layout))
        if sorted(axis.lstrip("-") for axis in self.policy_layout) != sorted(POLICY_AXES) or any(
                axis.startswith("--") for axis in self.policy_layout):
            raise ValueError(f"policy_layout must order the axes {POLICY_AXES}, each optionally prefixed with "
                             f"'-', got {self.policy_layout}")

    def policy_index(self) -> np.ndarray:
        """int64 ``[num_actions]``: for each action, its flat index into a ``[P, H, W]`` (C order) array of
        per-(plane, row, col) logits. Needs ``policy_planes > 0``."""
        if not self.policy_planes:
            raise ValueError(f"phase {self.name!r} declares no spatial action layout (policy_planes = 0)")
        _, height, width = self.observation_shape
        sizes = {"plane": self.policy_planes, "row": height, "col": width}
        digits = np.indices([sizes[axis.lstrip("-")] for axis in self.policy_layout]).reshape(3, -1)
        coordinates = {}
        for axis, digit in zip(self.policy_layout, digits):
            name = axis.lstrip("-")
            coordinates[name] = sizes[name] - 1 - digit if axis.startswith("-") else digit
        # Row r of `digits` is the action's r-th digit, most significant first: column a is action a.
        return ((coordinates["plane"] * height + coordinates["row"]) * width + coordinates["col"]).astype(np.int64)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready; the layout appears only where one is declared (older specs read the same)."""
        data: dict[str, Any] = {"observation_shape": list(self.observation_shape), "num_actions": self.num_actions,
                                "name": self.name}
        if self.policy_planes:
            data["policy_planes"] = self.policy_planes
            data["policy_layout"] = list(self.policy_layout)
        return data


@dataclass(frozen=True)
class TaskSpec:
    """Static facts about a game: its name, players and phases."""

    name: str
    """Stable identifier, e.g. ``"connect_four_v3"``; checkpoints record it."""
    num_players: int
    """Number of seats; values and rewards are vectors of this length."""
    phases: tuple[PhaseSpec, ...]
    """One entry per phase; a single-phase game has one."""
    env_kwargs: tuple[tuple[str, Any], ...] = ()
    """Keyword arguments the underlying env was made with (e.g. go's board size)."""

    def __post_init__(self) -> None:
        if self.num_players < 1:
            raise ValueError(f"num_players must be at least 1, got {self.num_players}")
        if not self.phases:
            raise ValueError("a TaskSpec needs at least one PhaseSpec")

    @property
    def num_phases(self) -> int:
        return len(self.phases)

    @property
    def max_actions(self) -> int:
        """The largest action space over all phases."""
        return max(p.num_actions for p in self.phases)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready description (checkpoints store it to refuse a wrong game)."""
        return {
            "name": self.name,
            "num_players": self.num_players,
            "phases": [p.to_json() for p in self.phases],
            "env_kwargs": {k: v for k, v in self.env_kwargs},
        }


@runtime_checkable
class Task(Protocol[State]):
    """A game as the search and the learner see it. See the module docstring for the rules."""

    spec: TaskSpec

    def initial_state(self, seed: int | None = None) -> State:
        """A fresh game; ``seed`` fixes any randomness of the start position."""
        ...

    def to_play(self, state: State) -> int:
        """The seat that acts next (undefined on terminal states)."""
        ...

    def phase(self, state: State) -> int:
        """Index into ``spec.phases`` of the current phase."""
        ...

    def legal_mask(self, state: State) -> np.ndarray:
        """bool ``[num_actions]`` of the current phase."""
        ...

    def observe(self, state: State) -> np.ndarray:
        """float32 ``[C, H, W]`` from the perspective of the player to move."""
        ...

    def step(self, state: State, action: int) -> tuple[State, np.ndarray]:
        """Apply ``action``; return the new state and float32 rewards ``[num_players]`` in seat order."""
        ...

    def is_terminal(self, state: State) -> bool:
        """True when the game is over (terminated or truncated)."""
        ...


class SupportsSymmetries(Protocol):
    """Optional: a Task whose board has symmetries offers them for data augmentation."""

    def symmetries(
        self, observation: np.ndarray, policy: np.ndarray, phase: int
    ) -> Sequence[tuple[np.ndarray, np.ndarray]]:
        """Equivalent (observation ``[C,H,W]``, policy ``[A]``) pairs, the identity included."""
        ...


class SupportsAdjudicate(Protocol[State]):
    """Optional: a Task that can judge an unfinished game (used with ``selfplay.adjudicate_capped``).

    Self-play between young networks often reaches ``selfplay.max_moves`` undecided; such a game's value
    target is then the rewards so far plus this estimate instead of the rewards so far alone.
    """

    def adjudicate(self, state: State) -> np.ndarray:
        """float32 ``[num_players]`` in seat order, each in ``[-1, 1]``: the expected returns still to come
        from ``state`` (zero-sum where the game is). Chess: ``tanh`` of the material difference."""
        ...


class SupportsEnv(Protocol[State]):
    """Optional: a Task that converts between its states and live PettingZoo envs.

    ``AlphaZeroAgent.act(env)`` uses ``state_from_env`` to search from the game an
    ordinary PettingZoo loop is playing; ``make_env`` gives the PettingZoo env
    the task mirrors (used by agents, arenas and Gymnasium views).
    """

    def state_from_env(self, env: Any) -> State:
        """The task state equal to the live env's game (the env is not changed)."""
        ...

    def make_env(self, render_mode: str | None = None) -> Any:
        """A fresh PettingZoo AEC env of the same game and settings."""
        ...


def rotate_to_player(values: np.ndarray, to_play: int | np.ndarray) -> np.ndarray:
    """Rotate seat-order values ``[..., P]`` so index 0 is the player to move.

    Index ``i`` of the result is seat ``(to_play + i) % P``. The network learns
    and predicts values in this rotated frame so that one set of weights
    serves every seat (N players, not just two).
    """
    values = np.asarray(values)
    num_players = values.shape[-1]
    to_play = np.asarray(to_play)
    index = (to_play[..., None] + np.arange(num_players)) % num_players
    return np.take_along_axis(values, np.broadcast_to(index, values.shape), axis=-1)


def rotate_to_seats(values: np.ndarray, to_play: int | np.ndarray) -> np.ndarray:
    """Inverse of :func:`rotate_to_player`: mover-relative ``[..., P]`` back to seat order."""
    values = np.asarray(values)
    num_players = values.shape[-1]
    to_play = np.asarray(to_play)
    index = (np.arange(num_players) - to_play[..., None]) % num_players
    return np.take_along_axis(values, np.broadcast_to(index, values.shape), axis=-1)
