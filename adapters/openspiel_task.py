"""The native Task of an OpenSpiel game: ``pyspiel`` states searched directly.

``make_task("openspiel:othello")`` returns :class:`OpenSpielTask`; its states
are ``pyspiel.State`` objects, ``step`` is ``state.clone()`` then
``apply_action`` (a C++ copy and move, a few microseconds), so the search does
not pay for Shimmy's AEC bookkeeping (new spaces and every player's observation
at each step, about 140 µs). It mirrors Shimmy's ``OpenSpielCompatibilityV0``
exactly: the same observation (``observation_tensor`` of the player to move,
in the same layout), mask (``legal_actions``), rewards (``state.rewards()``
after each move) and end (terminal, or ``max_game_length`` moves); its spec
equals the generic adapter's on the Shimmy env (``backend="pettingzoo"``), so
networks and checkpoints serve both, and ``state_from_env`` / ``make_env``
connect it to live Shimmy envs (agents, arenas, ``az-pz eval``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from az_pz.adapters._layout import add_to_play, check_layout, to_chw
from az_pz.adapters.openspiel import PREFIX, adapter_options, is_openspiel_env, load_game, make_env, short_name
from az_pz.task import PhaseSpec, TaskSpec


class OpenSpielTask:
    """An OpenSpiel game of perfect information with sequential moves and no chance, as an az_pz Task.

    Args:
        name: ``"openspiel:othello"`` or ``"othello"``.
        observation_layout: ``"chw"``, ``"hwc"`` or ``"flat"``; None: CHW for OpenSpiel's 3-D
            observation tensors, flat for the others (see :mod:`az_pz.adapters._layout`).
        to_play_plane: add the seat to move to the observation (one more plane, or entry of a flat
            vector) for games whose observation tensor does not say who moves (hex, breakthrough: see
            :func:`~az_pz.adapters.openspiel.observation_shows_mover`); the presets turn it on there.
            Off: the observation is OpenSpiel's tensor exactly, shape ``observation_tensor_shape()``.
        **params: the game's parameters (``board_size=5`` for hex), as ``pyspiel.load_game`` takes them.

    Raises:
        ValueError: an unknown game or parameters it refuses.
        UnsupportedEnvironmentError: a game AlphaZero cannot serve (why in the message).
    """

    def __init__(self, name: str, *, observation_layout: str | None = None, to_play_plane: bool = False,
                 **params: Any) -> None:
        self.game = load_game(name, params)
        """The ``pyspiel.Game``."""
        self.params = dict(params)
        """The game's parameters as given (OpenSpiel fills the others with its defaults)."""
        self._short_name = short_name(name)
        self._shape = tuple(self.game.observation_tensor_shape())
        check_layout(observation_layout)
        self.observation_layout = observation_layout or ("chw" if len(self._shape) == 3 else "flat")
        """How OpenSpiel's observation tensor becomes CHW (``"chw"``, ``"hwc"`` or ``"flat"``)."""
        self.observation_layout_source = "given" if observation_layout else "OpenSpiel observation tensor"
        self._num_actions = int(self.game.num_distinct_actions())
        self._num_players = int(self.game.num_players())
        self._max_moves = int(self.game.max_game_length())
        self.to_play_plane = bool(to_play_plane)
        """Whether the seat to move is added to the observation."""
        recorded = adapter_options(params, observation_layout, to_play_plane)
        shape = self._convert(np.zeros(self._shape, np.float32), 0).shape
        self.spec = TaskSpec(name=f"{PREFIX}{self._short_name}", num_players=self._num_players,
                             phases=(PhaseSpec(shape, self._num_actions),),
                             env_kwargs=tuple(sorted(recorded.items())))

    # -- the Task interface -------------------------------------------------------------------

    def initial_state(self, seed: int | None = None) -> Any:
        """The start position (deterministic games: ``seed`` changes nothing)."""
        return self.game.new_initial_state()

    def to_play(self, state: Any) -> int:
        return int(state.current_player())

    def phase(self, state: Any) -> int:
        return 0

    def legal_mask(self, state: Any) -> np.ndarray:
        mask = np.zeros(self._num_actions, dtype=bool)
        mask[state.legal_actions()] = True
        return mask

    def observe(self, state: Any) -> np.ndarray:
        seat = state.current_player()
        return self._convert(np.asarray(state.observation_tensor(seat), dtype=np.float32).reshape(self._shape), seat)

    def _convert(self, tensor: np.ndarray, seat: int) -> np.ndarray:
        observation = to_chw(tensor, self.observation_layout)
        if self.to_play_plane:
            observation = add_to_play(observation, seat, self._num_players, self.observation_layout)
        return observation

    def is_terminal(self, state: Any) -> bool:
        # Shimmy also ends (truncates) a game after max_game_length moves.
        return bool(state.is_terminal()) or state.move_number() >= self._max_moves

    def step(self, state: Any, action: int) -> tuple[Any, np.ndarray]:
        """A copy of ``state`` with ``action`` applied, and that move's rewards in seat order."""
        if self.is_terminal(state):
            raise ValueError("cannot step a terminal state")
        action = int(action)
        if not 0 <= action < self._num_actions or action not in state.legal_actions():
            raise ValueError(f"illegal action {action} for player {state.current_player()} "
                             f"(legal: {state.legal_actions()})")
        new = state.clone()
        new.apply_action(action)
        return new, np.asarray(new.rewards(), dtype=np.float32)

    def action_to_env(self, state: Any, action: int) -> int:
        """Actions are OpenSpiel's (and Shimmy's) own numbering."""
        return int(action)

    def render(self, state: Any) -> str:
        return str(state)

    # -- live envs ------------------------------------------------------------------------------

    def make_env(self, render_mode: str | None = None) -> Any:
        """A fresh (not yet reset) Shimmy env of this game and parameters."""
        return make_env(self._short_name, self.params, render_mode=render_mode)

    def state_from_env(self, env: Any) -> Any:
        """A copy of the live Shimmy env's ``pyspiel`` state (the env is not changed)."""
        raw = getattr(env, "unwrapped", None)
        if not is_openspiel_env(raw):
            raise TypeError(f"{self.spec.name} plays Shimmy's OpenSpielCompatibilityV0 envs, got "
                            f"{type(raw if raw is not None else env).__name__}")
        if "game_state" not in raw.__dict__:
            raise ValueError("the env has not been reset: call env.reset() first")
        game = raw.game_state.get_game()
        if str(game) != str(self.game):
            raise ValueError(f"this task plays {self.game}, the env plays {game}")
        return raw.game_state.clone()

    def __repr__(self) -> str:
        phase = self.spec.phases[0]
        return (f"OpenSpielTask({self.spec.name!r}, params={self.params}, {phase.observation_shape}->"
                f"{phase.num_actions}, observation_layout={self.observation_layout!r})")
