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
``probe_steps`` random legal moves.
"""

from __future__ import annotations

import functools
import importlib
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from gymnasium import spaces
from pettingzoo.utils.env import AECEnv
from pettingzoo.utils.wrappers import AssertOutOfBoundsWrapper, OrderEnforcingWrapper, TerminateIllegalWrapper

from az_pz.adapters._layout import add_to_play, check_layout, detect_layout, to_chw
from az_pz.adapters._refusals import check_env, refuse_name
from az_pz.adapters.cloneable import CloneableEnv, clone_env, prepare_raw
from az_pz.task import PhaseSpec, TaskSpec

EnvFn = Callable[..., AECEnv]
PhaseFn = Callable[[AECEnv], int]

_POLICING_WRAPPERS = (OrderEnforcingWrapper, AssertOutOfBoundsWrapper, TerminateIllegalWrapper, CloneableEnv)
"""Wrappers that only police call order and illegal actions; the adapter checks legality itself
and steps below them (TerminateIllegalWrapper would otherwise observe twice per step)."""

_FAMILIES = ("classic", "butterfly", "atari", "mpe", "sisl", "magent")


def _core(env: Any) -> Any:
    while type(env) in _POLICING_WRAPPERS:
        env = env.env
    return env


def _forget_cached_observations(env: Any) -> None:
    """TerminateIllegalWrapper caches the last observation's mask; after stepping below it, drop it."""
    while hasattr(env, "env"):
        if isinstance(env, TerminateIllegalWrapper):
            env._prev_obs = None
            env._prev_info = None
        env = env.env


def _is_over(core: Any) -> bool:
    agents = core.agents
    if not agents:
        return True
    terminations, truncations = core.terminations, core.truncations
    return all(terminations[a] or truncations[a] for a in agents)


class EnvSnapshot:
    """A state of :class:`PettingZooTask`: one game position in a private env copy.

    Treat it as immutable: ``env`` must never be stepped (use ``task.step``, or
    ``task.to_env(state)`` for a live copy). Observation and mask are computed
    once, on first use.
    """

    __slots__ = ("env", "_core", "_agent", "_terminal", "_obs", "_mask")

    def __init__(self, env: Any):
        self.env = env
        """The env (full wrapper chain) holding this position."""
        self._core = _core(env)
        self._terminal = _is_over(self._core)
        self._agent = None if not self._core.agents else self._core.agent_selection
        self._obs: Any = None
        self._mask: np.ndarray | None = None

    def _observe(self) -> tuple[Any, np.ndarray]:
        if self._mask is None:
            if self._agent is None:
                raise ValueError("the game is over and no agent is left to observe")
            obs = self._core.observe(self._agent)
            if isinstance(obs, dict) and "action_mask" in obs:
                mask = obs["action_mask"]
                obs = obs["observation"]
            else:
                info = self._core.infos.get(self._agent, {})
                if "action_mask" not in info:
                    raise ValueError(
                        f"no action mask for {self._agent!r}: az_pz needs observation['action_mask'] "
                        "or infos[agent]['action_mask']"
                    )
                mask = info["action_mask"]
                if isinstance(obs, dict):
                    obs = obs["observation"]
            self._obs = obs
            self._mask = np.asarray(mask).astype(bool)
        return self._obs, self._mask

    def __repr__(self) -> str:
        status = "over" if self._terminal else f"{self._agent} to move"
        return f"EnvSnapshot({self.env}, {status})"


def _advance(env: Any, action: int | None, num_players: int, seat_of: dict[Any, int]) -> np.ndarray:
    """Step ``env`` in place with ``action``, then step dead agents with None until a live agent
    is to move or the game is over; return the rewards of all those steps, float32 [P] seat order."""
    core = _core(env)
    prepare_raw(core.unwrapped)
    rewards = np.zeros(num_players, dtype=np.float32)
    core.step(action)
    while True:
        for agent, reward in core.rewards.items():
            if reward:
                rewards[seat_of[agent]] += reward
        if _is_over(core):
            break
        agent = core.agent_selection
        if not (core.terminations[agent] or core.truncations[agent]):
            break
        core.step(None)
    _forget_cached_observations(env)
    return rewards


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
        self._phase_fn = phase_fn
        self.observation_layout: str = check_layout(observation_layout) or ""
        """How env observations become CHW: ``"chw"``, ``"hwc"`` or ``"flat"``."""
        self.observation_layout_source = "given" if observation_layout else ""
        """Where the layout came from: ``"given"``, or how it was read from the env."""
        self.to_play_plane = bool(to_play_plane)
        """Whether the seat to move is added to the observations."""
        env = self._fresh_env()
        check_env(env)
        self._raw_type = type(env.unwrapped)
        self._game_id = _game_id(env.unwrapped)
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
        self._phase_index: dict[Any, int] = {}
        if not self.observation_layout:
            start = EnvSnapshot(env)
            shape = np.shape(start._observe()[0]) if not start._terminal else ()
            self.observation_layout, self.observation_layout_source = detect_layout(env.unwrapped, shape)
        phases = self._probe(env, probe_steps)
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
            env_fn: EnvFn = functools.partial(_make_registered, name, env_kwargs)
        else:
            env_fn = functools.partial(_make_from_module, _import_game(name), env_kwargs)
        if probe_steps is None:
            probe_steps = 0 if game in CLASSIC_GAMES and phase_fn is None else 500
        return cls(env_fn, phase_fn, game, probe_steps=probe_steps, env_kwargs=recorded, observation_layout=layout,
                   to_play_plane=to_play_plane)

    def _fresh_env(self, **kwargs: Any) -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            return self._env_fn(**kwargs)

    def _signature(self, state: EnvSnapshot) -> Any:
        obs, mask = state._observe()
        if self._phase_fn is not None:
            return int(self._phase_fn(state._core.unwrapped))
        return (len(mask), np.shape(obs))  # the env's own (HWC) shape: no conversion needed

    def _probe(self, env: Any, probe_steps: int) -> tuple[PhaseSpec, ...]:
        """Play random legal moves from the start and record each phase's (observation shape, actions)."""
        found: dict[int, PhaseSpec] = {}
        rng = np.random.default_rng(0)
        num_players, games, steps = len(self.possible_agents), 0, 0
        while True:
            state = EnvSnapshot(env)
            if not state._terminal:
                self._record_phase(state, found)
            if steps >= probe_steps:
                break
            if state._terminal:
                games += 1
                env.reset(seed=games)
                continue
            legal = np.flatnonzero(state._observe()[1])
            _advance(env, int(rng.choice(legal)), num_players, self._seat_of)
            steps += 1
        missing = sorted(set(range(max(found) + 1)) - set(found))
        if missing:
            raise ValueError(
                f"phase_fn returned phases {sorted(found)} while probing; phases {missing} were never seen: "
                "raise probe_steps"
            )
        return tuple(found[i] for i in range(len(found)))

    def _record_phase(self, state: EnvSnapshot, found: dict[int, PhaseSpec]) -> None:
        obs, mask = state._observe()
        spec = PhaseSpec(self._convert(obs, 0).shape, len(mask))
        if len(mask) != self._action_space_size(state):
            raise ValueError(
                f"the action mask of {state._agent!r} has {len(mask)} entries but its action space has "
                f"{self._action_space_size(state)} actions"
            )
        signature = self._signature(state)
        if self._phase_fn is not None:
            if signature < 0:
                raise ValueError(f"phase_fn returned {signature}; phases are numbered from 0")
            index = self._phase_index[signature] = signature
        else:
            index = self._phase_index.setdefault(signature, len(self._phase_index))
        if index in found and found[index] != spec:
            raise ValueError(f"phase {index} has two shapes: {found[index]} and {spec}")
        found[index] = spec

    @staticmethod
    def _action_space_size(state: EnvSnapshot) -> int:
        return int(state._core.action_space(state._agent).n)

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
                _advance(env, None, self.spec.num_players, self._seat_of)
                state = EnvSnapshot(env)
        return state

    def to_play(self, state: EnvSnapshot) -> int:
        return self._seat_of[state._agent]

    def phase(self, state: EnvSnapshot) -> int:
        signature = self._signature(state)
        index = self._phase_index.get(signature)
        if index is None:
            raise ValueError(
                f"this position's phase {signature} (actions, env observation shape) was not seen when the task "
                f"was built (known: {list(self._phase_index)}); raise probe_steps or pass a phase_fn"
            )
        return index

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
        rewards = _advance(env, action, self.spec.num_players, self._seat_of)
        return EnvSnapshot(env), rewards

    def action_to_env(self, state: EnvSnapshot, action: int) -> int:
        """Actions are PettingZoo's own numbering."""
        return int(action)

    # -- live envs ------------------------------------------------------------------------------

    def state_from_env(self, env: Any) -> EnvSnapshot:
        """The state of a live env's game (wrapped or not); the env is not changed."""
        if not isinstance(env, AECEnv):
            raise TypeError(f"state_from_env needs a PettingZoo AEC env, got {type(env).__name__}")
        if type(env.unwrapped) is not self._raw_type:
            raise ValueError(f"this task plays {self._raw_type.__module__}, got a {type(env.unwrapped).__module__} env")
        if _game_id(env.unwrapped) != self._game_id:
            raise ValueError(f"this task plays {self._game_id}, got an env of {_game_id(env.unwrapped)}")
        outer = env
        while isinstance(outer, OrderEnforcingWrapper) or isinstance(outer, CloneableEnv):
            if isinstance(outer, OrderEnforcingWrapper) and not outer._has_reset:
                raise ValueError("the env has not been reset: call env.reset() first")
            outer = outer.env
        if env.unwrapped.__dict__.get("_cumulative_rewards") is None:
            raise ValueError("the env has not been reset: call env.reset() first")
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


def _game_id(raw: Any) -> str | None:
    """What tells games of one env class apart: the loaded game of Shimmy's OpenSpiel env (``hex(board_size=5)``)."""
    from az_pz.adapters.openspiel import is_openspiel_env

    return str(raw._env) if is_openspiel_env(raw) and "_env" in raw.__dict__ else None


def _import_game(name: str) -> Any:
    """The PettingZoo module of a game: ``"connect_four_v3"`` is looked up in each env family."""
    import importlib.util

    candidates = [name] if "." in name else [f"pettingzoo.{family}.{name}" for family in _FAMILIES]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        for path in candidates:
            try:
                found = importlib.util.find_spec(path)
            except ImportError:  # the family itself is absent or moved out (pettingzoo.mpe)
                continue
            if found is not None:
                return importlib.import_module(path)
    from az_pz.games import unknown_game_error  # names an old (deprecated) version of an env as such

    raise unknown_game_error(name)


def _make_from_module(module: Any, env_kwargs: dict[str, Any], **kwargs: Any) -> AECEnv:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return module.env(**env_kwargs, **kwargs)


def _make_registered(registry_id: str, env_kwargs: dict[str, Any], **kwargs: Any) -> AECEnv:
    import pettingzoo

    try:
        return pettingzoo.make("aec", registry_id, **env_kwargs, **kwargs)
    except Exception as error:
        if type(error).__name__.startswith("PettingZooRegistry") or "not found" in str(error).lower():
            raise ValueError(f"unknown PettingZoo registry id {registry_id!r}: {error}") from error
        raise
