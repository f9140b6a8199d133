"""A game's card: what the generic modules read about one game of the table, as one typed record.

Each game package's ``__init__.py`` holds ``CARD = GameCard(...)`` and nothing heavy: the card names its fast
task by module path, imported on the first :meth:`GameCard.make_task`, so reading every card (``az-pz info``,
the Gymnasium ids) imports no rules and no PettingZoo.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["GameCard"]


@dataclass(frozen=True)
class GameCard:
    """One game's entry in the games table (:data:`az_pz.adapters.games.GAMES`)."""

    name: str
    """Canonical PettingZoo module name (``"chess_v6"``)."""
    task: str | Callable[..., Any]
    """Its task, built with the env's keyword arguments: ``"module:attribute"`` of the fast native Task (imported on
    first use), or a function returning a Task (any Task: ``PettingZooTask`` around your env will do)."""
    gym_id: str | None = None
    """Single-agent Gymnasium id (``gymnasium.make("az_pz:az_pz/Chess-v0")``), or None (no single-agent view)."""
    info_variants: tuple[dict[str, Any], ...] = ({},)
    """Env kwargs of the variants ``az-pz info`` lists by default (go: board sizes 9, 13 and 19)."""
    play_kwargs: Mapping[str, Any] = field(default_factory=dict)
    """Env kwargs of the game people are offered to play (``az-pz serve``)."""
    env_kwargs_of: Callable[[Any], dict[str, Any]] | None = None
    """Reads the keyword arguments that recreate an unwrapped live env's game (go: board size and komi), or None
    when the game has none."""

    def make_task(self, **env_kwargs: Any) -> Any:
        """The game's task (same keyword arguments as its PettingZoo env)."""
        if callable(self.task):
            return self.task(**env_kwargs)
        module, _, attribute = self.task.partition(":")
        return getattr(importlib.import_module(module), attribute)(**env_kwargs)
