"""Plumbing shared by the fast native tasks: the PettingZoo env each one mirrors.

A fast native task re-implements a PettingZoo game's rules on a compact state
(bitboards, table indices) and must stay indistinguishable from the real env.
:class:`NativeTask` holds what every such task does the same way:

* ``make_env(render_mode=None)``: the PettingZoo env the task mirrors, made
  through the PettingZoo registry with the task's env keyword arguments;
* ``state_from_env(env)``: reads ``env.unwrapped`` (so wrapped envs from
  ``pettingzoo.make("aec", ...)`` and legacy ``<game>_vN.env()`` both work)
  and never changes the env;
* ``state_to_env(state, env)`` / ``env_from_state(state)``: resets a live env
  (which resets every wrapper's bookkeeping) and writes the state into it, so
  an agent trained on one side plays on the other;
* ``action_to_env`` (the identity: actions use PettingZoo's numbering) and
  ``phase`` (single-phase games).

A subclass sets ``env_id`` and ``spec`` and implements ``_read_env(raw)`` and
``_write_env(state, raw)`` on the *unwrapped* env. :func:`write_turn` writes
the AEC bookkeeping (whose turn, rewards, terminations) the way a PettingZoo
classic env leaves it right after a step. Optional ``copy_state(state)``
returns an independent copy (the bench times it; immutable states return
themselves).
"""

from __future__ import annotations

import inspect
from typing import Any, ClassVar, Generic, TypeVar

import numpy as np

from az_pz.task import PhaseSpec, TaskSpec

State = TypeVar("State")

__all__ = ["NativeTask", "check_env_game", "write_turn"]


def check_env_game(env: Any, env_module: str, env_id: str) -> Any:
    """``env.unwrapped`` if ``env`` is a live AEC env of the game defined in ``env_module``; a clear error otherwise."""
    raw = getattr(env, "unwrapped", env)
    if not hasattr(env, "agent_selection") or not hasattr(env, "observe"):
        raise TypeError(
            f"expected a PettingZoo AEC env of {env_id!r} (with agent_selection), got {type(env).__name__}: "
            f"parallel envs have no single player to move; make one with pettingzoo.make('aec', {env_id!r})"
        )
    if type(raw).__module__ != env_module:
        name = getattr(raw, "metadata", {}).get("name", type(raw).__module__)
        raise ValueError(
            f"this task plays {env_id!r} but the env is {name!r}: load an agent or make a task for that game "
            f"(az_pz.make_task({name!r}))"
        )
    return raw


class NativeTask(Generic[State]):
    """Base of the fast native tasks: env plumbing only, no game rules."""

    env_id: ClassVar[str]
    """PettingZoo registry id of the mirrored game, e.g. ``"classic/tictactoe-v3"``."""
    env_module: ClassVar[str]
    """Module defining the mirrored ``raw_env``, e.g. ``"pettingzoo.classic.tictactoe.tictactoe"``."""
    spec: TaskSpec
    """Set by the subclass (its ``env_kwargs`` hold the keyword arguments given here)."""

    def __init__(self, **env_kwargs: Any) -> None:
        self._render_mode: str | None = env_kwargs.pop("render_mode", None)
        self._env_kwargs: dict[str, Any] = dict(env_kwargs)
        self._check_env_kwargs()

    def _check_env_kwargs(self) -> None:
        """Refuse keyword arguments the env would refuse, now rather than at ``make_env``."""
        import importlib

        raw_env = importlib.import_module(self.env_module).raw_env
        try:
            inspect.signature(raw_env).bind(**self._env_kwargs)
        except TypeError as error:
            raise TypeError(f"{self.env_id}: invalid env keyword arguments {self._env_kwargs}: {error}") from None

    def _single_phase_spec(self, name: str, observation_shape: tuple[int, int, int], num_actions: int,
                           phase_name: str, **layout: Any) -> TaskSpec:
        """The spec of a two-player, single-phase classic game made with this task's env kwargs.

        ``layout``: the phase's spatial action layout (``policy_planes``, ``policy_layout``), if it has one.
        """
        return TaskSpec(
            name=name,
            num_players=2,
            phases=(PhaseSpec(observation_shape=observation_shape, num_actions=num_actions, name=phase_name,
                              **layout),),
            env_kwargs=tuple(sorted(self._env_kwargs.items())),
        )

    @property
    def env_kwargs(self) -> dict[str, Any]:
        """The env keyword arguments this task was made with (without ``render_mode``)."""
        return dict(self._env_kwargs)

    # --- Task extras shared by all fast tasks -------------------------------------------------

    def phase(self, state: State) -> int:
        """Always 0: the mirrored games have a single phase."""
        return 0

    def action_to_env(self, state: State, action: int) -> int:
        """The identity: actions are PettingZoo's own numbering."""
        return int(action)

    def make_env(self, render_mode: str | None = None) -> Any:
        """A fresh (not yet reset) PettingZoo AEC env of this game, via the PettingZoo registry."""
        import pettingzoo

        mode = render_mode if render_mode is not None else self._render_mode
        return pettingzoo.make("aec", self.env_id, render_mode=mode, **self._env_kwargs)

    def state_from_env(self, env: Any) -> State:
        """The fast state equal to the live env's game; the env is only read.

        Raises ``TypeError`` for something that is not a PettingZoo AEC env (a parallel env) and
        ``ValueError`` for an env of another game, naming both games.
        """
        return self._read_env(check_env_game(env, self.env_module, self.env_id))

    def state_to_env(self, state: State, env: Any) -> Any:
        """Reset ``env`` and write ``state`` into it; returns ``env`` (now showing ``state``)."""
        env.reset()
        self._write_env(state, env.unwrapped)
        return env

    def env_from_state(self, state: State, render_mode: str | None = None) -> Any:
        """A new PettingZoo env showing ``state`` (``make_env`` then ``state_to_env``)."""
        return self.state_to_env(state, self.make_env(render_mode=render_mode))

    # --- to implement ---------------------------------------------------------------------

    def _read_env(self, raw: Any) -> State:  # pragma: no cover - abstract
        raise NotImplementedError

    def _write_env(self, state: State, raw: Any) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


def write_turn(raw: Any, to_play: int, rewards: np.ndarray, terminated: bool) -> None:
    """Write an unwrapped, freshly reset classic env's AEC bookkeeping as a step leaves it.

    Args:
        raw: the unwrapped env (``env.unwrapped``), already reset.
        to_play: seat of ``agent_selection`` (after a game-ending step PettingZoo
            still moves the selection on to the next seat).
        rewards: float ``[num_players]`` of the last step in seat order; the
            classic games reward only the final step, so the cumulative rewards
            equal them.
        terminated: whether the game is over (every agent terminated).
    """
    agents = list(raw.possible_agents)
    raw.agents = agents[:]
    raw.rewards = {agent: _plain(rewards[seat]) for seat, agent in enumerate(agents)}
    raw._cumulative_rewards = dict(raw.rewards)
    raw.terminations = dict.fromkeys(agents, bool(terminated))
    raw.truncations = dict.fromkeys(agents, False)
    raw.infos = {agent: {} for agent in agents}
    selector = raw._agent_selector
    selector.reinit(raw.agents)
    # AgentSelector.next() leaves _current_agent one past the selected agent.
    selector._current_agent = (to_play + 1) % len(agents)
    selector.selected_agent = agents[to_play]
    raw.agent_selection = agents[to_play]


def _plain(reward: float) -> int | float:
    """PettingZoo's classic envs keep integer rewards; keep their type."""
    value = float(reward)
    return int(value) if value.is_integer() else value
