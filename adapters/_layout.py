"""Observation layouts: how an env's observation array becomes the network's float32 ``(C, H, W)``.

* ``"hwc"``: channels last, PettingZoo classic's convention (connect four ``(6, 7, 2)``): transposed.
* ``"chw"``: channels first, OpenSpiel's ``observation_tensor_shape()`` (othello ``(3, 8, 8)``): kept.
* ``"flat"``: a feature vector of any shape, flattened to ``(1, 1, N)``; a network should read it with an
  MLP, not convolve over it.

Under ``"hwc"`` and ``"chw"`` a 2-D observation ``(H, W)`` is one plane ``(1, H, W)`` and a 1-D one is
``(1, 1, N)``; only 3-D observations differ. The layout is known where the env tells it (PettingZoo's own
envs: HWC; Shimmy's OpenSpiel envs: CHW for 3-D tensors, flat otherwise, since OpenSpiel's 2-D tensors such
as gomoku's ``(3, 225)`` are planes of flattened cells). Other envs' 3-D observations are read from the
shape when it tells one way only: channels last when the last axis is the strictly smallest or the first two
are a square board (``(6, 7, 2)``, ``(3, 3, 4)``), channels first likewise (``(2, 6, 7)``, ``(4, 8, 8)``).
A shape that tells both ways or neither (``(3, 3, 3)``, ``(8, 3, 8)``) is refused, not guessed: pass
``observation_layout=`` then. The layout used and how it was found are in the task's repr, ``az-pz info``
and ``check_task``'s result.
"""

from __future__ import annotations

from typing import Any

import numpy as np

LAYOUTS = ("chw", "hwc", "flat")
"""The values of ``observation_layout``."""


def check_layout(layout: Any) -> str | None:
    """``layout`` if it is None or one of :data:`LAYOUTS`; a ValueError naming the choices otherwise."""
    if layout is not None and layout not in LAYOUTS:
        raise ValueError(f"observation_layout must be one of {', '.join(LAYOUTS)} (or None: from the env), "
                         f"got {layout!r}")
    return layout


def to_chw(observation: Any, layout: str) -> np.ndarray:
    """float32 ``(C, H, W)`` from an env observation in ``layout``."""
    array = np.asarray(observation)
    if layout == "flat":
        return array.astype(np.float32).reshape(1, 1, -1)
    if array.ndim == 3:
        if layout == "hwc":
            return np.ascontiguousarray(array.transpose(2, 0, 1), dtype=np.float32)
        return np.ascontiguousarray(array, dtype=np.float32)
    if array.ndim == 2:
        return array.astype(np.float32)[None]
    if array.ndim == 1:
        return array.astype(np.float32)[None, None]
    raise ValueError(f"observations must have 1 to 3 dimensions, got shape {array.shape}; "
                     "pass observation_layout='flat' to flatten them")


def detect_layout(raw: Any, shape: tuple[int, ...]) -> tuple[str, str]:
    """``(layout, how it was found)`` for an unwrapped env whose observations have ``shape``.

    Raises:
        ValueError: a 3-D shape whose channel axis cannot be told, naming ``observation_layout``.
    """
    from az_pz.adapters.openspiel import is_openspiel_env

    if is_openspiel_env(raw):
        return ("chw" if len(shape) == 3 else "flat"), "OpenSpiel observation tensor"
    module = type(raw).__module__ or ""
    if len(shape) != 3:
        return ("flat" if len(shape) == 1 else "hwc"), f"{len(shape)}-D observation"
    if module.startswith("pettingzoo."):
        return "hwc", "PettingZoo convention"
    height, width, depth = shape
    candidates = set()
    if depth < min(height, width) or (height == width != depth):
        candidates.add("hwc")  # channels last, PettingZoo's convention: (6, 7, 2), (3, 3, 4)
    if height < min(width, depth) or (width == depth != height):
        candidates.add("chw")  # channels first, OpenSpiel's: (3, 6, 7), (9, 5, 5)
    if len(candidates) == 1:
        layout = candidates.pop()
        return layout, "read from the shape: " + ("square board, channels last" if layout == "hwc" and height == width
                                                  else "channels last" if layout == "hwc" else "channels first")
    name = f"{module}.{type(raw).__qualname__}"
    raise ValueError(f"cannot tell how {name}'s {shape} observations are laid out (channels first or last?): pass "
                     "observation_layout='chw' (channels first), 'hwc' (channels last) or 'flat' (a feature vector)")


def add_to_play(observation: np.ndarray, seat: int, num_players: int, layout: str) -> np.ndarray:
    """``observation`` (CHW from :func:`to_chw`) with the seat to move added, for envs whose observations do
    not say who moves (many of OpenSpiel's: hex, connect four, breakthrough), while the network's values are
    the mover's (AlphaZero's inputs carry a colour-to-play plane likewise, Silver et al. 2018). A board gets one
    more plane filled with ``seat / (num_players - 1)``; a flat vector one more entry."""
    value = seat / max(num_players - 1, 1)
    if layout == "flat":
        return np.concatenate([observation, np.full((1, 1, 1), value, np.float32)], axis=2)
    _, height, width = observation.shape
    return np.concatenate([observation, np.full((1, height, width), value, np.float32)], axis=0)
