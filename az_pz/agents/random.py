"""RandomAgent: a uniformly random legal move, the usual first baseline."""

from __future__ import annotations

from typing import Any

import numpy as np

from az_pz.agents.base import legal_mask


class RandomAgent:
    """Picks uniformly among the legal actions of the agent to move.

    Args:
        seed: seed of its own ``np.random.Generator`` (``None``: fresh entropy).
        rng: a Generator to use instead of ``seed``.
    """

    def __init__(self, seed: int | None = None, *, rng: np.random.Generator | None = None) -> None:
        self.rng = rng if rng is not None else np.random.default_rng(seed)
        """The only source of randomness of this agent."""

    def act(self, env: Any) -> int:
        legal = np.flatnonzero(legal_mask(env))
        return int(self.rng.choice(legal))

    def reset(self) -> None:
        """Nothing to forget between games (the generator keeps running)."""

    def seed(self, seed: int | None) -> None:
        """Restart the generator from ``seed``."""
        self.rng = np.random.default_rng(seed)

    def __repr__(self) -> str:
        return "RandomAgent()"
