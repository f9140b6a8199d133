"""Exact, fast copies of live PettingZoo AEC environments.

``copy.deepcopy`` must never be used on a PettingZoo classic env: they derive
from ``EzPickle``, whose pickling protocol rebuilds the env from its
constructor arguments, so the "copy" is a fresh, empty game. A clone here
copies the *live* state instead: board arrays, ``agent_selection``, the
reward / termination / truncation / info dicts, the agent selector, engine
objects (a ``chess.Board`` with its move stack, go's ``Position``) and any
``np_random`` generator, into new instances that share nothing mutable with
the original.

Known games have fast cloners (a static table of the shipped ones; :func:`register_cloner`
for others) that copy only what the game mutates; every other env gets :func:`structural_copy`, a
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
import importlib
import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from gymnasium.utils import EzPickle
from pettingzoo.utils.env import AECEnv
from pettingzoo.utils.wrappers import (
    AssertOutOfBoundsWrapper,
    BaseWrapper,
    OrderEnforcingWrapper,
    TerminateIllegalWrapper,
)

from az_pz.adapters.env_copy import RNG_TYPES, copy_aec_common, copy_rng  # noqa: F401  (cloners import them here)

CloneFn = Callable[[Any], Any]
"""Takes a raw (unwrapped) env, returns an independent copy of it."""
PrepareFn = Callable[[Any], None]
"""Called with a raw env before it steps or resets (e.g. to restore module globals)."""


@dataclass(frozen=True)
class _Cloner:
    clone: CloneFn
    prepare: PrepareFn | None = None


_SHIPPED_CLONERS: dict[str, tuple[str, str, str | None]] = {
    "pettingzoo.classic.tictactoe.tictactoe.raw_env": ("az_pz.adapters._classic_cloners", "clone_tictactoe", None),
    "pettingzoo.classic.connect_four.connect_four.raw_env":
        ("az_pz.adapters._classic_cloners", "clone_connect_four", None),
    "pettingzoo.classic.chess.chess.raw_env": ("az_pz.adapters._classic_cloners", "clone_chess", None),
    "pettingzoo.classic.go.go.raw_env": ("az_pz.adapters._classic_cloners", "clone_go", "ensure_go_globals"),
    "shimmy.openspiel_compatibility.OpenSpielCompatibilityV0":
        ("az_pz.adapters._openspiel_cloner", "clone_openspiel_env", None),
}
"""The fast cloners az_pz ships, by raw env class path: ``(module, clone function, prepare function or None)``.
A static table: a cloner module is imported when an env of its game is first cloned, and no game is imported
before an env of it exists. :func:`register_cloner` entries take precedence."""
_CLONERS: dict[type, _Cloner] = {}
_LAZY_CLONERS: dict[str, _Cloner] = {}
"""Cloners registered by class path (``"module.QualName"``), so that registering does not import the game."""
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
    """The cloner registered for exactly ``env_type`` (by class or by class path), else the shipped one, or None."""
    cloner = _CLONERS.get(env_type)
    if cloner is None:
        path = f"{env_type.__module__}.{env_type.__qualname__}"
        cloner = _LAZY_CLONERS.get(path) or _shipped_cloner(path)
        if cloner is not None:
            _CLONERS[env_type] = cloner
    return cloner


def _shipped_cloner(path: str) -> _Cloner | None:
    entry = _SHIPPED_CLONERS.get(path)
    if entry is None:
        return None
    module = importlib.import_module(entry[0])
    return _Cloner(getattr(module, entry[1]), getattr(module, entry[2]) if entry[2] else None)


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
    elif isinstance(obj, RNG_TYPES):
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
