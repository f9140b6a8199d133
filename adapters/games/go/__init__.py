"""Go (PettingZoo ``go_v5``): everything az_pz knows about it.

``task`` holds the rules (the fast native Task), ``presets`` the training presets,
``notation`` GTP vertices <-> actions (see :mod:`az_pz.adapters.games`).
This module is the game's card for the games table; it imports nothing heavy.
"""

from __future__ import annotations

from typing import Any

NAME = "go_v5"
"""Canonical PettingZoo module name."""

GYM_ID = "az_pz/Go-v0"
"""Single-agent Gymnasium id (``gymnasium.make("az_pz:az_pz/Go-v0")``)."""

INFO_VARIANTS: tuple[dict[str, Any], ...] = ({"board_size": 9}, {"board_size": 13}, {"board_size": 19})
"""Env kwargs of the variants ``az-pz info`` lists by default."""

PLAY_KWARGS: dict[str, Any] = {"board_size": 9, "komi": 7.5}
"""Env kwargs of the game people are offered to play (``az-pz serve``)."""


def make_task(**env_kwargs: Any) -> Any:
    """The fast native task (same keyword arguments as PettingZoo's ``go_v5.env``)."""
    from az_pz.adapters.games.go.task import make_go_task

    return make_go_task(**env_kwargs)


def env_kwargs_of(raw: Any) -> dict[str, Any]:
    """The keyword arguments that recreate an unwrapped live ``go_v5`` env's game (board size, komi)."""
    return {"board_size": int(raw._N), "komi": float(raw._komi)}
