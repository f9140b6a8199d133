"""Connect-four observations back to states, for ``AlphaZeroAgent.predict`` (the observation holds the whole
game: the observer's and the opponent's pieces; the seats follow from the counts)."""

from __future__ import annotations

from typing import Any

import numpy as np

from az_pz.adapters.games.boards import observer_seat, planes_hwc_or_chw
from az_pz.adapters.games.connect_four.task import board_to_bits, connects_four, state_from_bits

BOARD = (6, 7, True)
"""(rows, columns, pieces fall to the bottom): what ``az_pz.obs_checks`` checks an observation against."""


def state_from_observation(obs: np.ndarray) -> Any:
    """The state a ``[6, 7, 2]`` (or ``[2, 6, 7]``) observation shows; a finished game decodes as terminal
    (the outcome is decided from the board), whichever player observes it."""
    own, other = planes_hwc_or_chw(obs, 6, 7).reshape(2, 42) > 0
    seat = observer_seat(own, other, connects_four(board_to_bits([int(v) for v in own])[0]))
    board = np.where(own, seat + 1, np.where(other, 2 - seat, 0))
    return state_from_bits(*board_to_bits([int(v) for v in board]))
