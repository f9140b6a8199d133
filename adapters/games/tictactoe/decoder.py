"""Tic-tac-toe observations back to states, for ``AlphaZeroAgent.predict`` (the observation holds the whole game:
the observer's and the opponent's marks; the seats follow from the counts)."""

from __future__ import annotations

from typing import Any

import numpy as np

from az_pz.adapters.games.boards import observer_seat, planes_hwc_or_chw
from az_pz.adapters.games.tictactoe.task import squares_to_state

BOARD = (3, 3, False)
"""(rows, columns, pieces fall to the bottom): what ``az_pz.obs_checks`` checks an observation against."""

_LINES = np.array([(0, 1, 2), (3, 4, 5), (6, 7, 8), (0, 3, 6), (1, 4, 7), (2, 5, 8), (0, 4, 8), (2, 4, 6)])


def state_from_observation(obs: np.ndarray) -> Any:
    """The state a ``[3, 3, 2]`` (or ``[2, 3, 3]``) observation shows; a finished game decodes as terminal,
    whichever player observes it."""
    own, other = planes_hwc_or_chw(obs, 3, 3).reshape(2, 9) > 0
    seat = observer_seat(own, other, bool(own[_LINES].all(axis=1).any()))
    squares = np.where(own, seat + 1, np.where(other, 2 - seat, 0))
    return squares_to_state([int(v) for v in squares])
