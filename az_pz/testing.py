"""``check_task``: a conformance test for Tasks, shipped inside the package.

Run it on your own task (``check_task(PettingZooTask(my_env_fn))``) before
training: it plays random games and checks the rules stated in
``az_pz.task`` (purity, shapes and dtypes per phase, masks, rewards,
determinism), raising ``AssertionError`` with the game, ply and rule broken.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from az_pz.task import Task, TaskSpec


@dataclass(frozen=True)
class TaskCheckResult:
    """What :func:`check_task` played."""

    games: int
    plies: int
    phases_seen: tuple[int, ...]
    """Phase indices met on non-terminal states (a phase never seen was not checked)."""
    returns: np.ndarray
    """float32 ``[games, num_players]``: each game's sum of rewards, seat order."""
    observation_layout: str | None = None
    """How the task lays the env's observations out as CHW (``"chw"``, ``"hwc"``, ``"flat"``; the adapters'
    ``observation_layout``), with where it came from; None for a task that does not say."""


@dataclass(frozen=True)
class _View:
    """Everything the Task interface says about one state (compared to prove purity)."""

    terminal: bool
    to_play: int | None
    phase: int | None
    mask: np.ndarray | None
    observation: np.ndarray | None
    state: Any = None
    """The state itself (not compared): optional extras such as ``search_mask`` are checked on it."""


def _view(task: Task, state: Any) -> _View:
    terminal = task.is_terminal(state)
    if terminal:
        return _View(True, None, None, None, None)
    return _View(False, task.to_play(state), task.phase(state), task.legal_mask(state), task.observe(state), state)


def _same(a: _View, b: _View) -> str | None:
    for field in ("terminal", "to_play", "phase"):
        if getattr(a, field) != getattr(b, field):
            return f"{field}: {getattr(a, field)!r} != {getattr(b, field)!r}"
    for field in ("mask", "observation"):
        x, y = getattr(a, field), getattr(b, field)
        if (x is None) != (y is None) or (x is not None and (x.shape != y.shape or not np.array_equal(x, y))):
            return f"{field} differs"
    return None


def _fail(where: str, message: str) -> None:
    raise AssertionError(f"{where}: {message}")


def _check_spec(spec: Any) -> None:
    if not isinstance(spec, TaskSpec):
        _fail("task.spec", f"must be a TaskSpec, got {type(spec).__name__}")


def _check_state(task: Task, view: _View, where: str) -> None:
    spec = task.spec
    if not isinstance(view.terminal, (bool, np.bool_)):
        _fail(where, f"is_terminal must return a bool, got {type(view.terminal).__name__}")
    if view.terminal:
        return
    if not isinstance(view.to_play, (int, np.integer)) or not 0 <= view.to_play < spec.num_players:
        _fail(where, f"to_play must be a seat in 0..{spec.num_players - 1}, got {view.to_play!r}")
    if not isinstance(view.phase, (int, np.integer)) or not 0 <= view.phase < spec.num_phases:
        _fail(where, f"phase must be in 0..{spec.num_phases - 1}, got {view.phase!r}")
    phase = spec.phases[view.phase]
    mask, obs = view.mask, view.observation
    if not isinstance(mask, np.ndarray) or mask.dtype != np.bool_ or mask.shape != (phase.num_actions,):
        _fail(where, f"legal_mask must be bool [{phase.num_actions}] in phase {view.phase}, got "
              f"{getattr(mask, 'dtype', type(mask).__name__)} {getattr(mask, 'shape', '')}")
    if not mask.any():
        _fail(where, "legal_mask has no legal action on a non-terminal state")
    if not isinstance(obs, np.ndarray) or obs.dtype != np.float32 or obs.shape != phase.observation_shape:
        _fail(where, f"observe must be float32 {phase.observation_shape} (CHW) in phase {view.phase}, got "
              f"{getattr(obs, 'dtype', type(obs).__name__)} {getattr(obs, 'shape', '')}")
    if not np.isfinite(obs).all():
        _fail(where, "observation has NaN or infinite values")
    search_mask = getattr(task, "search_mask", None)
    if search_mask is not None and view.state is not None:
        pruned = search_mask(view.state)
        if not isinstance(pruned, np.ndarray) or pruned.dtype != np.bool_ or pruned.shape != mask.shape:
            _fail(where, f"search_mask must be bool {mask.shape} like legal_mask, got "
                  f"{getattr(pruned, 'dtype', type(pruned).__name__)} {getattr(pruned, 'shape', '')}")
        if not pruned.any() or (pruned & ~mask).any():
            _fail(where, "search_mask must be a non-empty subset of legal_mask")


def _check_rewards(task: Task, rewards: Any, where: str) -> np.ndarray:
    num_players = task.spec.num_players
    if not isinstance(rewards, np.ndarray) or rewards.dtype != np.float32 or rewards.shape != (num_players,):
        _fail(where, f"step must return rewards float32 [{num_players}] in seat order, got "
              f"{getattr(rewards, 'dtype', type(rewards).__name__)} {getattr(rewards, 'shape', '')}")
    if not np.isfinite(rewards).all():
        _fail(where, f"rewards are not finite: {rewards}")
    return rewards


def check_task(task: Task, num_games: int = 10, seed: int = 0, *, max_plies: int = 10_000) -> TaskCheckResult:
    """Play ``num_games`` random games of ``task`` and check every rule of the Task interface.

    Checked at every ply: shapes and dtypes of ``observe`` (float32 CHW of the
    current phase) and ``legal_mask`` (bool, the phase's action count, at
    least one legal action); ``to_play`` and ``phase`` in range; ``step``
    leaves its input unchanged (same view before and after, and after a
    second, different action) and is deterministic (the same action twice
    gives equal states and rewards); rewards float32 ``[num_players]``,
    finite. Also: ``initial_state(seed)`` is reproducible, games end within
    ``max_plies``, and ``symmetries`` (when present) keep shapes.

    Raises:
        AssertionError: naming the game, ply and broken rule.
    """
    if num_games < 1:
        raise ValueError(f"num_games must be >= 1, got {num_games}")
    _check_spec(task.spec)
    rng = np.random.default_rng(seed)
    plies, phases_seen, returns = 0, set(), []
    for game in range(num_games):
        game_seed = seed + game
        state = task.initial_state(seed=game_seed)
        view = _view(task, state)
        problem = _same(view, _view(task, task.initial_state(seed=game_seed)))
        if problem:
            _fail(f"game {game}", f"initial_state(seed={game_seed}) is not reproducible: {problem}")
        total = np.zeros(task.spec.num_players, dtype=np.float32)
        ply = 0
        while not view.terminal:
            where = f"game {game}, ply {ply}"
            _check_state(task, view, where)
            phases_seen.add(int(view.phase))
            _check_symmetries(task, view, where)
            legal = np.flatnonzero(view.mask)
            action = int(rng.choice(legal))
            next_state, rewards = task.step(state, action)
            _check_rewards(task, rewards, where)
            if next_state is state:
                _fail(where, "step returned the very state it was given (it must return a new state)")
            problem = _same(view, _view(task, state))
            if problem:
                _fail(where, f"step changed the state it was given: {problem}")
            again, again_rewards = task.step(state, action)
            problem = _same(_view(task, next_state), _view(task, again))
            if problem or not np.array_equal(rewards, again_rewards):
                _fail(where, f"step is not deterministic for action {action}: {problem or 'rewards differ'}")
            if len(legal) > 1:
                task.step(state, int(legal[legal != action][0]))
                problem = _same(view, _view(task, state))
                if problem:
                    _fail(where, f"stepping another action changed the state: {problem}")
            total += rewards
            state, view, ply = next_state, _view(task, next_state), ply + 1
            if ply > max_plies:
                _fail(f"game {game}", f"did not end within {max_plies} plies")
        plies += ply
        returns.append(total)
    layout = getattr(task, "observation_layout", None)
    if layout:
        source = getattr(task, "observation_layout_source", "")
        layout = f"{layout} ({source})" if source else layout
    return TaskCheckResult(num_games, plies, tuple(sorted(phases_seen)), np.asarray(returns, dtype=np.float32),
                           layout)


def _check_symmetries(task: Task, view: _View, where: str) -> None:
    symmetries = getattr(task, "symmetries", None)
    if symmetries is None:
        return
    policy = view.mask.astype(np.float32) / view.mask.sum()
    pairs = symmetries(view.observation, policy, view.phase)
    if not pairs:
        _fail(where, "symmetries returned nothing (it must include the identity)")
    for observation, sym_policy in pairs:
        if np.shape(observation) != view.observation.shape or np.shape(sym_policy) != policy.shape:
            _fail(where, "symmetries changed the shape of the observation or the policy")
        if not np.isclose(np.sum(sym_policy), 1.0, atol=1e-4):
            _fail(where, "symmetries did not keep the policy a distribution")


def random_game_states(task: Task, count: int, seed: int = 0) -> list[Any]:
    """``count`` non-terminal states along uniformly random games of ``task``, one game after another
    (every position of each game, so early and late positions both appear): test and calibration data."""
    rng = np.random.default_rng(seed)
    states, state = [], task.initial_state(seed)
    while len(states) < count:
        if task.is_terminal(state):
            state = task.initial_state(int(rng.integers(1 << 30)))
            continue
        states.append(state)
        state, _ = task.step(state, int(rng.choice(np.flatnonzero(task.legal_mask(state)))))
    return states
