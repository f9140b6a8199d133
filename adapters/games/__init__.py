"""The games az_pz knows by name, one package each, and the static table that names them.

Each game is a package under ``az_pz.adapters.games`` that holds everything about it, so that generic modules
(``az_pz.games``, ``az_pz.config``, ``az_pz.envs``, the agents, ``az-pz info``) name no game and ask this table
instead. A game package holds:

- ``__init__.py``: its card, ``CARD``, a :class:`~az_pz.adapters.games.card.GameCard` cheap to import (no rules,
  no PettingZoo): its canonical PettingZoo module name, its task by module path (imported on first
  ``make_task``), its single-agent Gymnasium id, the variants ``az-pz info`` lists, the env kwargs ``az-pz serve``
  offers, and (go) how to read a live env's kwargs;
- ``task.py``: the rules (the fast Task, its state, symmetries);
- ``presets.py``: ``PRESETS`` (preset name -> function returning config overrides as plain data, CPU and
  ``:gpu`` variants), optionally ``preset_key(env_kwargs)`` when the preset depends on the env kwargs;
- optional ``decoder.py`` (``state_from_observation`` for ``predict``, ``BOARD`` for observation checks) and
  ``notation.py`` (the move notation people and engines use: ``render_text``, ``legal_moves_text``,
  ``parse_move``).

Adding a game is one folder here and one line in :data:`GAMES` (see ``docs/adapters.md``). Nothing here imports
``az_pz.games`` or ``az_pz.config``: imports run one way, from the generic modules down to the games.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

from az_pz.adapters.games.card import GameCard

__all__ = ["GAMES", "GameCard", "game_card", "game_of_task", "game_package", "game_part"]

GAMES: dict[str, str] = {
    "tictactoe_v3": "az_pz.adapters.games.tictactoe",
    "connect_four_v3": "az_pz.adapters.games.connect_four",
    "chess_v6": "az_pz.adapters.games.chess",
    "go_v5": "az_pz.adapters.games.go",
}
"""Canonical game name -> its package (imported lazily, on first use)."""


def game_package(name: str) -> ModuleType | None:
    """The package of game ``name`` (a canonical module name such as ``"chess_v6"``), or None for a game the
    table does not hold."""
    path = GAMES.get(name)
    return importlib.import_module(path) if path is not None else None


def game_card(name: str) -> GameCard | None:
    """The card of game ``name`` (its package's ``CARD``), or None for a game the table does not hold."""
    package = game_package(name)
    return package.CARD if package is not None else None


def game_part(name: str, part: str) -> ModuleType | None:
    """Submodule ``part`` (``"presets"``, ``"decoder"``, ``"notation"``) of game ``name``'s package, or None when
    the table has no such game or the game has no such part."""
    path = GAMES.get(name)
    if path is None:
        return None
    try:
        return importlib.import_module(f"{path}.{part}")
    except ModuleNotFoundError as error:
        if error.name != f"{path}.{part}":
            raise
        return None


def game_of_task(task: Any) -> str | None:
    """The table's name of the game whose package defines ``task``'s class (its fast task), else None."""
    module = type(task).__module__
    for name, path in GAMES.items():
        if module.startswith(path + "."):
            return name
    return None
