"""SolverAgent: perfect connect four play from az_pz's solver ("solver").

Every move is one of the best by perfect play: a win when the position is won (the fastest), a
draw when it is drawn, and when it is lost the move that holds out longest; ties between equally
good columns are broken at random with the agent's seed. The first move of the game is the centre
column (the only winning first move, Allis 1988); the solver has no opening book, so a move in the
first few plies after that can take minutes, and from ply 8 on milliseconds to seconds.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from az_pz.agents.base import check_legal, require_game


class SolverAgent:
    """Perfect player of PettingZoo ``connect_four_v3`` (either seat).

    Args:
        seed: seed of the generator that breaks ties between equally good columns.
        solver: an ``az_pz.solvers.connect_four.Solver`` to share (default: the process-wide one).
    """

    def __init__(self, seed: int | None = None, *, solver: Any = None) -> None:
        self.rng = np.random.default_rng(seed)
        """Breaks ties between columns of equal score."""
        self.solver = solver
        """The solver (its transposition table is kept between moves); made on first use when None."""

    def act(self, env: Any) -> int:
        from az_pz.solvers.connect_four import Position

        require_game(env, "connect_four", "the solver agent")
        position = Position.from_env(env)
        return check_legal(env, self.choose(position), repr(self))

    def choose(self, position: Any) -> int:
        """The column played in a solver ``Position``: the best score, ties broken at random."""
        if position.moves == 0:
            return 3
        scores = self._solver().move_scores(position)
        best = np.flatnonzero(scores == scores.max())
        return int(self.rng.choice(best))

    def reset(self) -> None:
        """Each move is solved afresh (the transposition table stays valid across games)."""

    def seed(self, seed: int | None) -> None:
        self.rng = np.random.default_rng(seed)

    def _solver(self) -> Any:
        if self.solver is None:
            from az_pz.solvers.connect_four import default_solver

            self.solver = default_solver()
        return self.solver

    def __repr__(self) -> str:
        return "SolverAgent()"
