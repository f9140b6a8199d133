"""ChessTask's spatial action layout against the real PettingZoo ``chess_v6``.

The spatial policy head puts the logit of action ``a`` at observation square ``(row, col)`` given by
``PhaseSpec.policy_index``. For that head to share weights over the board sensibly, this square must be
the move's from-square as the observation shows it: every legal action must start on a square that holds
one of the mover's own pieces (observation channels 7-12, the mover's pieces of the newest board) for
both colours (black's observation is mirrored by PettingZoo).

PettingZoo fills its piece planes only once a move has been played: the observation right after
``reset()`` shows no pieces at all, so the first position of each game is left out.
"""

from __future__ import annotations

import numpy as np
import pytest

from az_pz.games import make_task

pytest.importorskip("chess")
from pettingzoo.classic import chess_v6  # noqa: E402

OWN_PIECES = slice(7, 13)
"""Observation channels of the mover's pawns, knights, bishops, rooks, queens and king (newest board)."""


def _from_squares(layout_index: np.ndarray, actions: np.ndarray, planes: int) -> tuple[np.ndarray, np.ndarray]:
    """(rows, cols) of the observation square each action's logit comes from."""
    _, rows, cols = np.unravel_index(layout_index[actions], (planes, 8, 8))
    return rows, cols


def _random_positions(games: int, seed: int):
    """Observations and legal actions of the real env along random games, from the first move on (the position
    after ``reset()`` shows no pieces): yields (seat, obs HWC, legal)."""
    rng = np.random.default_rng(seed)
    env = chess_v6.env()
    for game in range(games):
        env.reset(seed=game)
        for ply in range(int(rng.integers(20, 120))):
            agent = env.agent_selection
            if env.terminations[agent] or env.truncations[agent]:
                break
            observation = env.observe(agent)
            legal = np.flatnonzero(observation["action_mask"])
            assert observation["observation"][:, :, OWN_PIECES].any() == (ply > 0)
            if ply > 0:
                yield env.possible_agents.index(agent), observation["observation"], legal
            env.step(int(rng.choice(legal)))
    env.close()


def test_every_legal_action_starts_on_a_square_of_the_movers_own_pieces():
    phase = make_task("chess_v6").spec.phases[0]
    assert (phase.policy_planes, phase.policy_layout) == (73, ("col", "-row", "plane"))
    index = phase.policy_index()
    checked = {0: 0, 1: 0}
    for seat, observation, legal in _random_positions(games=12, seed=0):
        rows, cols = _from_squares(index, legal, phase.policy_planes)
        own = observation[rows, cols, OWN_PIECES].any(axis=1)
        assert own.all(), f"seat {seat}: actions {legal[~own]} start on squares without an own piece"
        checked[seat] += len(legal)
    assert min(checked.values()) > 2000, checked  # both colours, many positions and actions


@pytest.mark.parametrize("wrong_layout", [("col", "row", "plane"), ("row", "-col", "plane"), ("plane", "row", "col")])
def test_the_check_tells_a_wrong_layout(wrong_layout):
    """The alignment check is not vacuous: layouts that look plausible fail it from the start position."""
    from az_pz.task import PhaseSpec

    phase = PhaseSpec((111, 8, 8), 4672, policy_planes=73, policy_layout=wrong_layout)
    seat, observation, legal = next(_random_positions(games=1, seed=0))
    rows, cols = _from_squares(phase.policy_index(), legal, 73)
    assert not observation[rows, cols, OWN_PIECES].any(axis=1).all()
