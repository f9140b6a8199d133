"""Deprecated: the AlphaZero agent now lives with the other agents, in :mod:`az_pz.agents.alphazero`
(``from az_pz import AlphaZeroAgent`` or ``from az_pz.agents.alphazero import AlphaZeroAgent``)."""

from __future__ import annotations

import az_pz.agents.alphazero as _alphazero
from az_pz._moved import moved
from az_pz.agents import alphazero_files as _files
from az_pz.agents import alphazero_observations as _observations

__getattr__ = moved("az_pz.agent", _alphazero, {
    "_known_decoder": (_observations, "known_decoder"),
    "_ZIP_FORMAT": (_files, "ZIP_FORMAT"),
    "_ZIP_ENTRY_BOUNDS": (_files, "ZIP_ENTRY_BOUNDS"),
    "_task_from_file": (_files, "task_from_file"),
    "_check_size": (_files, "check_size"),
    "_search_with": (_files, "search_with"),
})
