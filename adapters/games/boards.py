"""Helpers for two-player board games observed as two planes (the observer's pieces, the opponent's), shared by
the decoders of tic-tac-toe and connect four."""

from __future__ import annotations

import numpy as np


def planes_hwc_or_chw(obs: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Two-plane board observation ``[2, rows, cols]`` from PettingZoo's HWC or our CHW layout."""
    obs = np.asarray(obs)
    return obs.transpose(2, 0, 1) if obs.shape == (rows, cols, 2) else obs.reshape(2, rows, cols)


def observer_seat(own: np.ndarray, other: np.ndarray, own_line: bool) -> int:
    """The observer's seat from its pieces and the opponent's (bool planes). Seat 0 moves first, so it holds as
    many pieces as seat 1 or one more; equal counts with a line of the observer's own mean seat 1 just won
    (a finished game seen by the winner), otherwise seat 0 is to move."""
    own_count, other_count = int(own.sum()), int(other.sum())
    if own_count != other_count:
        return 0 if own_count > other_count else 1
    return 1 if own_line else 0
