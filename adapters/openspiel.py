"""OpenSpiel's games through Farama's Shimmy: names, refusals, envs.

``make_task("openspiel:othello")`` and ``make_task("openspiel:hex", board_size=5)``
play OpenSpiel's games; the keyword arguments are the game's own parameters
(``pyspiel.load_game(name, params)``). The PettingZoo env is Shimmy's
``OpenSpielCompatibilityV0(game_name=..., config=params)``, an AEC env whose
observation is OpenSpiel's ``observation_tensor`` reshaped to
``game.observation_tensor_shape()``: channels first, ``(3, 8, 8)`` for othello.

AlphaZero searches by simulating the game from the true current state, so a
game is served only when that is sound (:func:`refusal_reason`): sequential
moves, perfect information, no chance nodes (Shimmy draws chance outcomes
inside ``step`` with its own generator, out of the search's sight: a clone
would replay the same dice), an observation tensor, and terminal rewards
within [-1, 1] (the value head's range). Everything else is refused with the
reason, e.g. backgammon and pig (dice), kuhn_poker and leduc_poker (hidden
cards), goofspiel (simultaneous moves).

Needs the extra: ``pip install 'az_pz[openspiel]'`` (``open-spiel`` and ``shimmy``).
"""

from __future__ import annotations

from typing import Any

from az_pz.adapters._refusals import UnsupportedEnvironmentError

PREFIX = "openspiel:"
"""Game names ``openspiel:<short_name>`` are OpenSpiel's games."""

SHIMMY_ENV = "shimmy.openspiel_compatibility.OpenSpielCompatibilityV0"
"""Class path of Shimmy's OpenSpiel env (matched by path, so nothing imports Shimmy early)."""

_INSTALL = "OpenSpiel's games need the extra: pip install 'az_pz[openspiel]' (open-spiel and shimmy)"

__all__ = [
    "PREFIX",
    "is_openspiel_env",
    "is_openspiel_name",
    "load_game",
    "observation_shows_mover",
    "make_env",
    "openspiel_games",
    "refusal_reason",
    "shimmy_task",
    "short_name",
]


def pyspiel() -> Any:
    """The ``pyspiel`` module, or an ImportError saying which extra to install."""
    try:
        import pyspiel as module
    except ImportError as error:
        raise ImportError(f"{_INSTALL} ({error})") from error
    return module


def is_openspiel_name(name: Any) -> bool:
    """True for ``"openspiel:othello"``."""
    return isinstance(name, str) and name.startswith(PREFIX)


def short_name(name: str) -> str:
    """``"openspiel:othello"`` -> ``"othello"`` (OpenSpiel's short name)."""
    game = name[len(PREFIX):] if is_openspiel_name(name) else name
    if not game:
        raise ValueError(f"{name!r} names no game: write openspiel:GAME, e.g. openspiel:othello")
    return game


def is_openspiel_env(raw: Any) -> bool:
    """True when ``raw`` (an unwrapped env) is Shimmy's OpenSpiel env."""
    kind = type(raw)
    return f"{kind.__module__}.{kind.__qualname__}" == SHIMMY_ENV


def refusal_reason(game_type: Any, game: Any = None) -> str | None:
    """Why az_pz cannot serve an OpenSpiel game (its ``pyspiel.GameType``, and the loaded game when there is
    one, for the tensor shape and utilities), or None when it can."""
    spiel = pyspiel()
    kinds = spiel.GameType
    if game_type.dynamics != kinds.Dynamics.SEQUENTIAL:
        if game_type.dynamics == kinds.Dynamics.SIMULTANEOUS:
            return "its moves are simultaneous: there is no single player to move"
        return "it is a mean-field game (a population, not players taking turns)"
    if game_type.information != kinds.Information.PERFECT_INFORMATION:
        return "it has imperfect information (hidden cards or pieces): the search would read them"
    if game_type.chance_mode != kinds.ChanceMode.DETERMINISTIC:
        return ("it has chance nodes (dice, shuffles) that Shimmy's env samples inside step, unseen by the "
                "search: a cloned env replays the same outcomes, a future the search cannot know")
    if game_type.reward_model != kinds.RewardModel.TERMINAL:
        return "it pays rewards along the way (a single-agent return, not a win/draw/loss in [-1, 1])"
    if not game_type.provides_observation_tensor:
        return "it provides no observation tensor (only strings), so there is nothing for a network to read"
    if game is not None:
        low, high = float(game.min_utility()), float(game.max_utility())
        if low < -1.0 or high > 1.0:
            return f"its returns span [{low:g}, {high:g}], outside the value head's [-1, 1]"
        try:
            game.observation_tensor_shape()
        except spiel.SpielError:
            return "it provides no observation tensor shape"
    return None


def openspiel_games() -> list[tuple[str, str | None]]:
    """Every game OpenSpiel registers, as ``(short_name, why refused or None when served)``.

    Games that load without parameters are judged on the loaded game (shape, utilities); the others on
    their type alone, with a note that they need parameters.
    """
    spiel = pyspiel()
    rows = []
    for game_type in spiel.registered_games():
        reason = refusal_reason(game_type)
        if reason is None and not game_type.default_loadable:
            reason = "it does not load without parameters (e.g. a game file)"
        if reason is None:
            reason = refusal_reason(game_type, spiel.load_game(game_type.short_name))
        rows.append((game_type.short_name, reason))
    return sorted(rows)


def load_game(name: str, params: dict[str, Any] | None = None) -> Any:
    """The ``pyspiel.Game`` for ``name`` (``"othello"`` or ``"openspiel:othello"``) with ``params``.

    Raises:
        ValueError: an unknown game, or parameters the game refuses (OpenSpiel's message).
        UnsupportedEnvironmentError: a game az_pz cannot serve (why in the message).
    """
    spiel = pyspiel()
    game_name = short_name(name)
    types = {t.short_name: t for t in spiel.registered_games()}
    game_type = types.get(game_name)
    if game_type is None:
        close = [n for n in types if game_name[:3] in n][:8]
        raise ValueError(f"OpenSpiel has no game {game_name!r}" + (f" (similar: {', '.join(close)})" if close else "")
                         + "; az-pz info --openspiel lists them")
    reason = refusal_reason(game_type)
    if reason is not None:
        raise UnsupportedEnvironmentError(f"az_pz cannot play {PREFIX}{game_name}: {reason}")
    try:
        game = spiel.load_game(game_name, dict(params or {}))
    except spiel.SpielError as error:
        message = str(error).split("\n")[0]
        raise ValueError(f"OpenSpiel refused {PREFIX}{game_name} with parameters {dict(params or {})}: {message}") \
            from None
    reason = refusal_reason(game_type, game)
    if reason is not None:
        raise UnsupportedEnvironmentError(f"az_pz cannot play {PREFIX}{game_name} {dict(params or {})}: {reason}")
    return game


def make_env(name: str, params: dict[str, Any] | None = None, render_mode: str | None = None) -> Any:
    """A fresh (not yet reset) Shimmy ``OpenSpielCompatibilityV0`` env of the game, checked by :func:`load_game`."""
    load_game(name, params)
    try:
        from shimmy import OpenSpielCompatibilityV0
    except ImportError as error:
        raise ImportError(f"{_INSTALL} ({error})") from error
    return OpenSpielCompatibilityV0(game_name=short_name(name), config=dict(params) if params else None,
                                    render_mode=render_mode)


def adapter_options(params: dict[str, Any], observation_layout: str | None, to_play_plane: bool) -> dict[str, Any]:
    """``params`` with the adapter's own options that differ from their defaults (what ``spec.env_kwargs``
    records, so that ``make_task(name, **env_kwargs)`` rebuilds the same task)."""
    options = dict(params)
    if observation_layout:
        options["observation_layout"] = observation_layout
    if to_play_plane:
        options["to_play_plane"] = True
    return options


def observation_shows_mover(game: Any, num_games: int = 3, seed: int = 0) -> bool:
    """Whether the game's observation tensor tells who is to move: True when the players' views of one
    position differ (othello, clobber: "my pieces, their pieces"), False when every player sees the same
    tensor (hex, connect four, breakthrough), checked over a few random games."""
    import numpy as np

    rng = np.random.default_rng(seed)
    players = game.num_players()
    for _ in range(num_games):
        state = game.new_initial_state()
        while not state.is_terminal():
            views = [state.observation_tensor(p) for p in range(players)]
            if any(view != views[0] for view in views[1:]):
                return True
            state.apply_action(int(rng.choice(state.legal_actions())))
    return False


def shimmy_task(name: str, *, observation_layout: str | None = None, to_play_plane: bool = False,
                **params: Any) -> Any:
    """The generic adapter (``PettingZooTask``) on Shimmy's env of the game: ``make_task(name,
    backend="pettingzoo")``. Slower than :class:`~az_pz.adapters.openspiel_task.OpenSpielTask` (each step
    goes through Shimmy), with the same spec."""
    import functools

    from az_pz.adapters.pettingzoo import PettingZooTask

    load_game(name, params)
    return PettingZooTask(functools.partial(make_env, short_name(name), params), name=f"{PREFIX}{short_name(name)}",
                          probe_steps=0, env_kwargs=adapter_options(params, observation_layout, to_play_plane),
                          observation_layout=observation_layout, to_play_plane=to_play_plane)


def env_game(raw: Any) -> tuple[str, dict[str, Any]]:
    """``("openspiel:hex", {"board_size": 5})``: the game name and the parameters a Shimmy env was made with."""
    return f"{PREFIX}{raw.game_type.short_name}", dict(raw.config or {})


def check_shimmy_env(raw: Any) -> None:
    """Refuse a Shimmy env of a game az_pz cannot serve (called by ``check_env`` for every env)."""
    reason = refusal_reason(raw.game_type, raw._env)
    if reason is not None:
        raise UnsupportedEnvironmentError(f"az_pz cannot play {PREFIX}{raw.game_type.short_name}: {reason}")
