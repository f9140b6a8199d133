"""Chess (PettingZoo ``chess_v6``): everything az_pz knows about it.

``task`` holds the rules (the fast native Task), ``presets`` the training presets,
``notation`` UCI/SAN moves <-> actions (see :mod:`az_pz.adapters.games`).
This module is the game's card for the games table; it imports nothing heavy.
"""

from __future__ import annotations

from typing import Any

NAME = "chess_v6"
"""Canonical PettingZoo module name."""

GYM_ID = "az_pz/Chess-v0"
"""Single-agent Gymnasium id (``gymnasium.make("az_pz:az_pz/Chess-v0")``)."""

INFO_VARIANTS: tuple[dict[str, Any], ...] = ({},)
"""Env kwargs of the variants ``az-pz info`` lists by default."""

PLAY_KWARGS: dict[str, Any] = {}
"""Env kwargs of the game people are offered to play (``az-pz serve``)."""


def make_task(**env_kwargs: Any) -> Any:
    """The fast native task (same keyword arguments as PettingZoo's ``chess_v6.env``)."""
    from az_pz.adapters.games.chess.task import ChessTask

    return ChessTask(**env_kwargs)
