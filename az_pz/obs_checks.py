"""Observations no game produces are refused before anything is predicted from them.

``AlphaZeroAgent.predict`` receives arrays from outside (an SB3 script, a Gymnasium loop, a user). A NaN or
an infinity means a bug upstream; a board no legal game reaches (overlapping stones, a connect four piece
floating above an empty cell, more pieces for one side than alternating moves allow) decodes into a state
the search would happily plan from, giving a confident answer to a meaningless question. Both raise
``ValueError`` naming the row and the problem.

The board checks cover the tasks whose observation is the whole game (tic-tac-toe and connect four: two
binary planes, the mover's pieces and the opponent's); other games get the finiteness check.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["check_observations"]


def check_observations(task: Any, observations: np.ndarray) -> None:
    """Raise ``ValueError`` for the first row of ``observations`` (``[n, ...]``) that no game of ``task`` shows."""
    observations = np.asarray(observations)
    if observations.dtype.kind not in "biuf":
        raise ValueError(f"observations must be numbers, got dtype {observations.dtype}")
    if observations.dtype.kind == "f":
        bad = ~np.isfinite(observations.reshape(len(observations), -1)).all(axis=1)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise ValueError(f"observation {row} holds NaN or infinity: no {task.spec.name!r} game shows that "
                             "(a bug upstream: check how the observation was built)")
    board = _board_of(task)
    if board is None:
        return
    rows, cols, gravity = board
    for row, obs in enumerate(observations):
        problem = _board_problem(obs, rows, cols, gravity)
        if problem:
            raise ValueError(f"observation {row} is not a position of any legal {task.spec.name!r} game: {problem}")


def _board_of(task: Any) -> tuple[int, int, bool] | None:
    """(rows, columns, pieces fall to the bottom) of a fast task whose game's decoder declares its board."""
    from az_pz.adapters.games import game_of_task, game_part

    game = game_of_task(task)
    decoder = game_part(game, "decoder") if game is not None else None
    return getattr(decoder, "BOARD", None)


def _board_problem(obs: np.ndarray, rows: int, cols: int, gravity: bool) -> str | None:
    planes = obs.transpose(2, 0, 1) if obs.shape == (rows, cols, 2) else obs.reshape(2, rows, cols)
    if not np.isin(planes, (0, 1)).all():
        return "the two planes must hold only 0 and 1 (the mover's pieces, the opponent's)"
    own, other = planes.astype(bool)
    if (own & other).any():
        r, c = np.argwhere(own & other)[0]
        return f"both players have a piece on row {r}, column {c} (the planes overlap)"
    difference = int(own.sum()) - int(other.sum())
    if abs(difference) > 1:
        return (f"one side has {abs(difference)} more pieces than the other ({int(own.sum())} against "
                f"{int(other.sum())}); players alternate, so the counts differ by at most one")
    if gravity:
        filled = own | other
        floating = filled[:-1] & ~filled[1:]  # a piece with an empty cell below it (row 0 is the top)
        if floating.any():
            r, c = np.argwhere(floating)[0]
            return f"the piece on row {r}, column {c} floats above an empty cell"
    return None
