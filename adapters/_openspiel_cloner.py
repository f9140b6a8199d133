"""The fast cloner of Shimmy's OpenSpiel env (``OpenSpielCompatibilityV0``).

What the env keeps, read from ``shimmy/openspiel_compatibility.py``: the
position is ``game_state``, a ``pyspiel.State`` with its own ``clone()`` (a C++
copy, well under a microsecond for a board game). ``step`` then rebuilds
``observations`` (new arrays each time, never written in place),
``infos[agent]["action_mask"]`` (likewise), the reward / termination /
truncation dicts, ``game_length`` and the ``simultaneous_actions`` dict; it
writes new spaces *into* the dicts ``observation_spaces`` and
``action_spaces``, so those dicts are copied (their spaces shared). The
``pyspiel.Game`` (``_env``), agent names and mappings are never changed and are
shared. ``np_random`` (the chance sampler) is copied with its state by
:func:`copy_aec_common`.

The generic structural copy also works but deep-copies the ``pyspiel`` objects
through pickling (the state is re-played from its history): ``docs/openspiel.md``
has both costs.
"""

from __future__ import annotations

from typing import Any

from az_pz.adapters.env_copy import copy_aec_common


def clone_openspiel_env(raw: Any) -> Any:
    """An independent copy of a Shimmy ``OpenSpielCompatibilityV0`` env, in the same position."""
    new = copy_aec_common(raw)
    state = raw.__dict__
    game_state = state.get("game_state")
    if game_state is not None:
        new.game_state = game_state.clone()
    for key in ("observation_spaces", "action_spaces", "simultaneous_actions", "observations"):
        value = state.get(key)
        if isinstance(value, dict):
            new.__dict__[key] = value.copy()
    return new
