"""Exact, fast copies of live PettingZoo AEC environments.

``copy.deepcopy`` must never be used on a PettingZoo classic env: they derive
from ``EzPickle``, whose pickling protocol rebuilds the env from its
constructor arguments, so the "copy" is a fresh, empty game. A clone here
copies the *live* state instead: board arrays, ``agent_selection``, the
reward / termination / truncation / info dicts, the agent selector, engine
objects (a ``chess.Board`` with its move stack, go's ``Position``) and any
``np_random`` generator, into new instances that share nothing mutable with
the original.

Known games have registered cloners (:func:`register_cloner`) that copy only
what the game mutates; every other env gets :func:`structural_copy`, a
recursive copy of the object graph that bypasses ``EzPickle`` (slower, and
exact as long as the env keeps its state in Python objects and arrays).

Spaces (``action_space(agent)``, ``observation_space(agent)``) and render
resources (pygame surfaces) are *shared* between an env and its clones: they
describe the game rather than hold its state.
"""

from __future__ import annotations

import copy
import enum
import functools
import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from gymnasium.utils import EzPickle
from pettingzoo.utils.agent_selector import AgentSelector
from pettingzoo.utils.env import AECEnv
from pettingzoo.utils.wrappers import (
    AssertOutOfBoundsWrapper,
    BaseWrapper,
    OrderEnforcingWrapper,
    TerminateIllegalWrapper,
)

CloneFn = Callable[[Any], Any]
"""Takes a raw (unwrapped) env, returns an independent copy of it."""
PrepareFn = Callable[[Any], None]
"""Called with a raw env before it steps or resets (e.g. to restore module globals)."""


@dataclass(frozen=True)
class _Cloner:
    clone: CloneFn
    prepare: PrepareFn | None = None


_CLONERS: dict[type, _Cloner] = {}
_LAZY_CLONERS: dict[str, _Cloner] = {}
"""Cloners registered by class path (``"module.QualName"``), so that registering the classic
games does not import them (and pygame) before an env of theirs exists."""
_SIMPLE_WRAPPERS: tuple[type, ...] = (
    BaseWrapper,
    OrderEnforcingWrapper,
    AssertOutOfBoundsWrapper,
    TerminateIllegalWrapper,
)
"""PettingZoo wrappers whose own state is scalars (and TerminateIllegal's cached last observation)."""


def register_cloner(env_type: type | str, clone: CloneFn, *, prepare: PrepareFn | None = None) -> None:
    """Register a fast cloner for raw envs of exactly ``env_type``.

    Args:
        env_type: the raw env class (``type(env.unwrapped)``), or its path
            ``"package.module.ClassName"`` to register without importing it.
            Subclasses are not matched: they may add state the cloner does not know.
        clone: ``clone(raw_env) -> raw_env`` returning a copy that shares nothing
            mutable with its argument. :func:`copy_aec_common` does the part
            every AEC env has (agents, dicts, agent selector, RNG).
        prepare: optional ``prepare(raw_env)`` run before each ``step``/``reset``
            through :class:`CloneableEnv` (go uses it to restore its board-size
            module globals).
    """
    if isinstance(env_type, str):
        _LAZY_CLONERS[env_type] = _Cloner(clone, prepare)
    else:
        _CLONERS[env_type] = _Cloner(clone, prepare)


def find_cloner(env_type: type) -> _Cloner | None:
    """The cloner registered for exactly ``env_type`` (by class or by class path), or None."""
    cloner = _CLONERS.get(env_type)
    if cloner is None and _LAZY_CLONERS:
        cloner = _LAZY_CLONERS.get(f"{env_type.__module__}.{env_type.__qualname__}")
        if cloner is not None:
            _CLONERS[env_type] = cloner
    return cloner


def clone_raw(raw: Any) -> Any:
    """Copy a raw (unwrapped) env with its registered cloner, else :func:`structural_copy`."""
    cloner = find_cloner(type(raw))
    if cloner is not None:
        return cloner.clone(raw)
    return structural_copy(raw)


def prepare_raw(raw: Any) -> None:
    """Run the registered ``prepare`` hook of ``raw``'s type, if any."""
    cloner = find_cloner(type(raw))
    if cloner is not None and cloner.prepare is not None:
        cloner.prepare(raw)


def clone_env(env: Any) -> Any:
    """Copy an env *with its wrapper chain*: wrappers are re-created around a clone of the raw env."""
    if isinstance(env, CloneableEnv):
        return env.clone()
    if isinstance(env, BaseWrapper):
        inner = clone_env(env.env)
        if type(env) in _SIMPLE_WRAPPERS:
            new = object.__new__(type(env))
            state = env.__dict__.copy()
            prev_obs = state.get("_prev_obs")
            if isinstance(prev_obs, dict):
                state["_prev_obs"] = prev_obs.copy()
            new.__dict__ = state
        else:
            memo: dict[int, Any] = {id(env.env): inner}
            new = _copy_object(env, memo)
        new.env = inner
        return new
    return clone_raw(env)


# ---------------------------------------------------------------------------
# The part every AEC env has.


def copy_rng(rng: Any) -> Any:
    """An independent generator in the same state (``np.random.Generator`` or ``RandomState``)."""
    if isinstance(rng, np.random.Generator):
        bit_generator = type(rng.bit_generator)()
        bit_generator.state = rng.bit_generator.state
        return np.random.Generator(bit_generator)
    if isinstance(rng, np.random.RandomState):
        new = np.random.RandomState()
        new.set_state(rng.get_state())
        return new
    return copy.deepcopy(rng)


_RNG_TYPES = (np.random.Generator, np.random.RandomState)


def copy_aec_common(raw: AECEnv) -> AECEnv:
    """A new instance of ``type(raw)`` whose ``__dict__`` is a shallow copy of ``raw``'s, with the
    standard AEC containers copied: ``agents``, ``rewards``, ``_cumulative_rewards``,
    ``terminations``, ``truncations``, ``infos`` (one level deeper), the ``AgentSelector``
    (keeping its ``agent_order`` aliased to ``agents`` when it was), and every numpy RNG.

    Game-specific cloners then replace the game's own mutable fields (the board).
    """
    new = object.__new__(type(raw))
    state = raw.__dict__.copy()
    agents = state.get("agents")
    if agents is not None:
        state["agents"] = new_agents = list(agents)
    for key in ("rewards", "_cumulative_rewards", "terminations", "truncations"):
        value = state.get(key)
        if value is not None:
            state[key] = value.copy()
    infos = state.get("infos")
    if infos is not None:
        state["infos"] = {agent: info.copy() for agent, info in infos.items()}
    selector = state.get("_agent_selector")
    if selector is not None:
        new_selector = object.__new__(type(selector))
        selector_state = selector.__dict__.copy()
        order = selector.agent_order
        selector_state["agent_order"] = new_agents if (agents is not None and order is agents) else list(order)
        new_selector.__dict__ = selector_state
        state["_agent_selector"] = new_selector
    for key, value in state.items():
        if isinstance(value, _RNG_TYPES):
            state[key] = copy_rng(value)
    new.__dict__ = state
    return new


# ---------------------------------------------------------------------------
# Generic structural copy.

_SHARED = (
    type(None), bool, int, float, complex, str, bytes, range, type, np.generic, np.dtype, enum.Enum,
    types.FunctionType, types.BuiltinFunctionType, types.ModuleType, functools.partial,
)


def _is_shared(obj: Any) -> bool:
    """Objects a clone shares with its original: immutable values, functions, spaces, render resources."""
    if isinstance(obj, _SHARED):
        return True
    return (type(obj).__module__ or "").startswith(("gymnasium.spaces", "pygame"))


def structural_copy(obj: Any, memo: dict[int, Any] | None = None) -> Any:
    """Recursively copy ``obj``'s object graph, preserving aliasing, without ever rebuilding an
    object from its constructor arguments (which is what ``deepcopy`` does to ``EzPickle`` envs).

    Arrays are copied, RNGs copied with their state, lists / dicts / tuples / sets rebuilt,
    objects with a ``__dict__`` re-created with ``object.__new__`` and a copied ``__dict__``;
    other objects fall back to ``copy.deepcopy`` (which honours their ``__deepcopy__``).
    Gymnasium spaces, functions and pygame resources are shared.
    """
    if memo is None:
        memo = {}
    return _copy_any(obj, memo)


def _copy_any(obj: Any, memo: dict[int, Any]) -> Any:
    if _is_shared(obj):
        return obj
    found = memo.get(id(obj), memo)
    if found is not memo:
        return found
    kind = type(obj)
    if kind is np.ndarray:
        result: Any = obj.copy()
    elif isinstance(obj, _RNG_TYPES):
        result = copy_rng(obj)
    elif kind is list:
        result = []
        memo[id(obj)] = result
        result.extend(_copy_any(item, memo) for item in obj)
        return result
    elif kind is dict:
        result = {}
        memo[id(obj)] = result
        for key, value in obj.items():
            result[_copy_any(key, memo)] = _copy_any(value, memo)
        return result
    elif kind is tuple:
        items = tuple(_copy_any(item, memo) for item in obj)
        result = obj if all(a is b for a, b in zip(items, obj)) else items
    elif kind is types.MethodType:
        result = types.MethodType(obj.__func__, _copy_any(obj.__self__, memo))
    elif kind in (set, frozenset):
        result = kind(_copy_any(item, memo) for item in obj)
    elif hasattr(obj, "__dict__") and (isinstance(obj, (AECEnv, EzPickle)) or _copies_by_dict(kind)):
        return _copy_object(obj, memo)
    else:
        result = copy.deepcopy(obj, memo)
    memo[id(obj)] = result
    return result


@functools.lru_cache(maxsize=None)
def _copies_by_dict(kind: type) -> bool:
    """True for classes whose state is their ``__dict__`` alone (no ``__deepcopy__``, no slots)."""
    return not hasattr(kind, "__deepcopy__") and all(not c.__dict__.get("__slots__") for c in kind.__mro__)


def _copy_object(obj: Any, memo: dict[int, Any]) -> Any:
    new = object.__new__(type(obj))
    memo[id(obj)] = new
    state = {}
    for key, value in obj.__dict__.items():
        state[key] = _copy_any(value, memo)
    new.__dict__.update(state)
    return new


# ---------------------------------------------------------------------------
# CloneableEnv.


@dataclass(frozen=True, eq=False)
class EnvState:
    """A saved game (from :meth:`CloneableEnv.get_state`): opaque, reusable any number of times."""

    _env: Any
    env_type: type
    """``type(env.unwrapped)`` of the env it was taken from; ``set_state`` refuses another game."""


class CloneableEnv(BaseWrapper):
    """A PettingZoo AEC wrapper whose game can be copied exactly and cheaply.

    ``clone()`` returns a new, independent ``CloneableEnv`` in the same state
    (wrapper chain included); ``get_state()`` / ``set_state(state)`` save and
    restore the game in place. Stepping the copy never affects the original,
    and stepping both with the same actions gives identical observations,
    masks, rewards, terminations, truncations and agent order.

    It is itself an AEC env (it passes ``pettingzoo.test.api_test``); step it
    like the env it wraps. Never ``copy.deepcopy`` a PettingZoo env: use this.
    """

    def __init__(self, env: Any):
        if isinstance(env, CloneableEnv):
            env = env.env
        if not isinstance(env, AECEnv):
            raise TypeError(
                f"CloneableEnv needs a PettingZoo AEC env (pettingzoo.AECEnv), got {type(env).__name__}"
            )
        super().__init__(env)
        self._raw = env.unwrapped
        self._cloner = find_cloner(type(self._raw))

    @property
    def fast(self) -> bool:
        """True when a registered cloner copies this game (False: the generic structural copy)."""
        return self._cloner is not None

    def clone(self) -> CloneableEnv:
        """An independent copy of this env in its current state."""
        return CloneableEnv(clone_env(self.env))

    def get_state(self) -> EnvState:
        """Save the current game (a private copy; the env can keep stepping)."""
        return EnvState(clone_env(self.env), type(self._raw))

    def set_state(self, state: EnvState) -> None:
        """Restore a game saved by :meth:`get_state` (the saved state stays usable)."""
        if not isinstance(state, EnvState):
            raise TypeError(f"set_state expects an EnvState from get_state(), got {type(state).__name__}")
        if state.env_type is not type(self._raw):
            raise ValueError(
                f"cannot restore a {state.env_type.__name__} state into a {type(self._raw).__name__} env"
            )
        self.env = clone_env(state._env)
        self._raw = self.env.unwrapped

    def step(self, action: Any) -> None:
        if self._cloner is not None and self._cloner.prepare is not None:
            self._cloner.prepare(self._raw)
        self.env.step(action)

    def reset(self, seed: int | None = None, options: dict[str, Any] | None = None) -> None:
        if self._cloner is not None and self._cloner.prepare is not None:
            self._cloner.prepare(self._raw)
        self.env.reset(seed=seed, options=options)

    def __str__(self) -> str:
        return str(self.env)


# The classic games' and Shimmy's OpenSpiel env's cloners register themselves on import.
from az_pz.adapters import _classic_cloners, _openspiel_cloner  # noqa: E402,F401
