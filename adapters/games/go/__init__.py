"""Go (PettingZoo ``go_v5``): its card in the games table; the package holds everything else about it: the rules
(``task``, ``engine``), the training presets (``presets``) and GTP vertices <-> actions (``notation``; see
:mod:`az_pz.adapters.games`)."""

from __future__ import annotations

from typing import Any

from az_pz.adapters.games.card import GameCard


def env_kwargs_of(raw: Any) -> dict[str, Any]:
    """The keyword arguments that recreate an unwrapped live ``go_v5`` env's game (board size, komi)."""
    return {"board_size": int(raw._N), "komi": float(raw._komi)}


CARD = GameCard(name="go_v5", task="az_pz.adapters.games.go.task:make_go_task", gym_id="az_pz/Go-v0",
                info_variants=({"board_size": 9}, {"board_size": 13}, {"board_size": 19}),
                play_kwargs={"board_size": 9, "komi": 7.5}, env_kwargs_of=env_kwargs_of)
