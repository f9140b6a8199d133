"""The generic adapter: any turn-based PettingZoo AEC env of perfect information as a Task.

A state is an :class:`EnvSnapshot`, a private copy of the env frozen at one
position; ``step`` clones it (:mod:`az_pz.adapters.cloneable`), steps the copy
and returns it, so the state it was given never changes. Seats are
``env.possible_agents`` order; rewards are read from ``env.rewards`` after each
step; legal moves from ``observation["action_mask"]`` (or
``infos[agent]["action_mask"]``); observations become CHW float32 according
to the *observation layout* (:mod:`az_pz.adapters._layout`): ``"hwc"`` for
PettingZoo's own envs (transposed), ``"chw"`` for Shimmy's OpenSpiel envs
(kept), ``"flat"`` for feature vectors (``(1, 1, N)``), or what the user
passes as ``observation_layout=``; a 3-D shape the adapter cannot read is
refused rather than guessed.

Phases are told apart by their *signature*, (number of actions, observation
shape) of the player to move, or by a user ``phase_fn(raw_env) -> int``. The
phases of a game are found when the task is built, by playing
``probe_steps`` random legal moves (:mod:`az_pz.adapters.phases`). Stepping and
the state live in :mod:`az_pz.adapters.snapshot`; making envs by name in
:mod:`az_pz.adapters.pettingzoo_envs`.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from gymnasium import spaces
from pettingzoo.utils.env import AECEnv

from az_pz.adapters._layout import add_to_play, check_layout, detect_layout, to_chw
from az_pz.adapters._refusals import check_env, refuse_name
from az_pz.adapters.cloneable import CloneableEnv, clone_env, prepare_raw
from az_pz.adapters.phases import Phases
from az_pz.adapters.pettingzoo_envs import check_live_env, game_id, import_game, make_from_module, make_registered
from az_pz.adapters.snapshot import EnvSnapshot, advance
from az_pz.task import TaskSpec

EnvFn = Callable[..., AECEnv]
PhaseFn = Callable[[AECEnv], int]


class PettingZooTask:
    """Any turn-based PettingZoo AEC env of perfect information, as an az_pz Task.

    Args:
        env_fn: a function returning a fresh AEC env (``connect_four_v3.env``,
            ``functools.partial(go_v5.env, board_size=9)``); ``make_env`` passes it
            ``render_mode=`` when one is asked for.
        phase_fn: optional ``phase_fn(raw_env) -> int`` giving the phase of the
            position (by default, phases are told apart by their signature).
        name: ``spec.name`` (default: the env's ``metadata["name"]``).
        probe_steps: random legal moves played when the task is built, to find
            the phases (0: only the start position's phase).
        env_kwargs: recorded in ``spec.env_kwargs`` (``from_name`` fills it).
        observation_layout: ``"chw"``, ``"hwc"`` or ``"flat"``: how the env's observation
            arrays are laid out (:mod:`az_pz.adapters._layout`). None: as the env tells
            (PettingZoo: HWC, OpenSpiel through Shimmy: CHW), refused when a 3-D shape
            cannot be read.
        to_play_plane: add the seat to move to each observation (one more constant plane, or
            entry of a flat vector), for envs whose observations do not say who moves.

    Raises:
        TypeError: ``env_fn`` is not a function returning an AEC env.
        UnsupportedEnvironmentError: a game AlphaZero cannot serve (why in the message).
        ValueError: no action masks, non-Discrete actions, or unusable observations
            (an unreadable 3-D layout: the message names ``observation_layout``).
    """

    def __init__(
        self,
        env_fn: EnvFn,
        phase_fn: PhaseFn | None = None,
        name: str | None = None,
        *,
        probe_steps: int = 500,
        env_kwargs: dict[str, Any] | None = None,
        observation_layout: str | None = None,
        to_play_plane: bool = False,
    ):
        if isinstance(env_fn, (AECEnv, CloneableEnv)) or not callable(env_fn):
            raise TypeError(
                "PettingZooTask needs a function returning a fresh env (e.g. connect_four_v3.env), "
                f"got {type(env_fn).__name__}"
            )
        if phase_fn is not None and not callable(phase_fn):
            raise TypeError(f"phase_fn must be callable (raw_env -> int), got {type(phase_fn).__name__}")
        if probe_steps < 0:
            raise ValueError(f"probe_steps must be >= 0, got {probe_steps}")
        self._env_fn = env_fn
        self._phases = Phases(phase_fn, self._convert)
        self.observation_layout: str = check_layout(observation_layout) or ""
        """How env observations become CHW: ``"chw"``, ``"hwc"`` or ``"flat"``."""
        self.observation_layout_source = "given" if observation_layout else ""
        """Where the layout came from: ``"given"``, or how it was read from the env."""
        self.to_play_plane = bool(to_play_plane)
        """Whether the seat to move is added to the observations."""
        env = self._fresh_env()
        check_env(env)
        self._raw_type = type(env.unwrapped)
        self._game_id = game_id(env.unwrapped)
        self.possible_agents: tuple[Any, ...] = tuple(env.possible_agents)
        """Agent names, in seat order."""
        if not self.possible_agents:
            raise ValueError("the env has no possible_agents")
        self._seat_of = {agent: seat for seat, agent in enumerate(self.possible_agents)}
        env.reset(seed=0)
        for agent in self.possible_agents:
            space = env.action_space(agent)
            if not isinstance(space, spaces.Discrete) or int(space.start) != 0:
                raise ValueError(f"az_pz needs Discrete(n) action spaces starting at 0; {agent!r} has {space}")
        if not self.observation_layout:
            start = EnvSnapshot(env)
            shape = np.shape(start._observe()[0]) if not start._terminal else ()
            self.observation_layout, self.observation_layout_source = detect_layout(env.unwrapped, shape)
        phases = self._phases.probe(env, probe_steps, self._seat_of)
        metadata = getattr(env.unwrapped, "metadata", None) or {}
        self.spec = TaskSpec(
            name=name or str(metadata.get("name") or self._raw_type.__name__),
            num_players=len(self.possible_agents),
            phases=phases,
            env_kwargs=tuple(sorted((env_kwargs or {}).items())),
        )

    # -- construction -------------------------------------------------------------------------

    @classmethod
    def from_name(
        cls, name: str, *, phase_fn: PhaseFn | None = None, probe_steps: int | None = None, **env_kwargs: Any
    ) -> PettingZooTask:
        """The adapter for a PettingZoo game by module name (``"connect_four_v3"``, made with the
        module's ``env()``) or registry id (``"classic/connect_four-v3"``, made with
        ``pettingzoo.make("aec", ...)``); ``env_kwargs`` go to the env (``board_size=9``), except
        ``observation_layout`` and ``to_play_plane`` (the adapter's, recorded in ``spec.env_kwargs`` so the
        task rebuilds alike)."""
        from az_pz.games import CLASSIC_GAMES, canonical_name

        if not isinstance(name, str) or not name:
            raise TypeError(f"name must be a game name like 'connect_four_v3', got {name!r}")
        refuse_name(name)
        layout = check_layout(env_kwargs.pop("observation_layout", None))
        to_play_plane = bool(env_kwargs.pop("to_play_plane", False))
        recorded = dict(env_kwargs, **({"observation_layout": layout} if layout else {}),
                        **({"to_play_plane": True} if to_play_plane else {}))
        game = canonical_name(name)
        if "/" in name:
            env_fn: EnvFn = functools.partial(make_registered, name, env_kwargs)
        else:
            env_fn = functools.partial(make_from_module, import_game(name), env_kwargs)
        if probe_steps is None:
            probe_steps = 0 if game in CLASSIC_GAMES and phase_fn is None else 500
        return cls(env_fn, phase_fn, game, probe_steps=probe_steps, env_kwargs=recorded, observation_layout=layout,
                   to_play_plane=to_play_plane)

    def _fresh_env(self, **kwargs: Any) -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            return self._env_fn(**kwargs)

    # -- the Task interface -------------------------------------------------------------------

    def initial_state(self, seed: int | None = None) -> EnvSnapshot:
        """A fresh game from ``env_fn()``, reset with ``seed``."""
        env = self._fresh_env()
        prepare_raw(env.unwrapped)
        env.reset(seed=seed)
        return self._settled(env)

    def _settled(self, env: Any) -> EnvSnapshot:
        state = EnvSnapshot(env)
        if not state._terminal:
            core = state._core
            if core.terminations[core.agent_selection] or core.truncations[core.agent_selection]:
                advance(env, None, self.spec.num_players, self._seat_of)
                state = EnvSnapshot(env)
        return state

    def to_play(self, state: EnvSnapshot) -> int:
        return self._seat_of[state._agent]

    def phase(self, state: EnvSnapshot) -> int:
        return self._phases.phase(state)

    def legal_mask(self, state: EnvSnapshot) -> np.ndarray:
        return state._observe()[1].copy()

    def observe(self, state: EnvSnapshot) -> np.ndarray:
        return self._convert(state._observe()[0], self._seat_of[state._agent])

    def _convert(self, observation: Any, seat: int) -> np.ndarray:
        chw = to_chw(observation, self.observation_layout)
        if self.to_play_plane:
            chw = add_to_play(chw, seat, len(self.possible_agents), self.observation_layout)
        return chw

    def is_terminal(self, state: EnvSnapshot) -> bool:
        return state._terminal

    def step(self, state: EnvSnapshot, action: int) -> tuple[EnvSnapshot, np.ndarray]:
        """Clone ``state``'s env, step the copy with ``action``; ``state`` is left unchanged."""
        if state._terminal:
            raise ValueError("cannot step a terminal state")
        mask = state._observe()[1]
        action = int(action)
        if not 0 <= action < len(mask) or not mask[action]:
            raise ValueError(f"illegal action {action} for {state._agent!r} (legal: {np.flatnonzero(mask).tolist()})")
        env = clone_env(state.env)
        rewards = advance(env, action, self.spec.num_players, self._seat_of)
        return EnvSnapshot(env), rewards

    def action_to_env(self, state: EnvSnapshot, action: int) -> int:
        """Actions are PettingZoo's own numbering."""
        return int(action)

    # -- live envs ------------------------------------------------------------------------------

    def state_from_env(self, env: Any) -> EnvSnapshot:
        """The state of a live env's game (wrapped or not); the env is not changed."""
        check_live_env(env, self._raw_type, self._game_id)
        return self._settled(clone_env(env))

    def to_env(self, state: EnvSnapshot) -> CloneableEnv:
        """A live copy of ``state``'s game (an AEC env you may step, render, or hand to agents)."""
        return CloneableEnv(clone_env(state.env))

    def make_env(self, render_mode: str | None = None) -> Any:
        """A fresh (not yet reset) env of this game and settings."""
        if render_mode is None:
            return self._fresh_env()
        try:
            return self._fresh_env(render_mode=render_mode)
        except TypeError as error:
            raise ValueError(f"env_fn does not accept render_mode={render_mode!r}: {error}") from error

    def __repr__(self) -> str:
        phases = ", ".join(f"{p.observation_shape}->{p.num_actions}" for p in self.spec.phases)
        return (f"{type(self).__name__}({self.spec.name!r}, players={self.spec.num_players}, phases=[{phases}], "
                f"observation_layout={self.observation_layout!r} ({self.observation_layout_source}))")
