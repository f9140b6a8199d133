"""Three in a row for three: a three-player AEC game on a 4x4 board.

Players ``player_0``, ``player_1``, ``player_2`` take turns putting a mark on
an empty cell (``Discrete(16)``, cell ``row * 4 + col``). The first to have
three marks in a line (row, column or diagonal, anywhere on the board) wins:
the winner gets +1 and *each* other player -1 (not zero-sum, so a search
that flips signs between two players gets it wrong). A full board is a draw
(0 for all). A game lasts at most 16 plies.

Observation ``(4, 4, 3)`` int8 (HWC) from the observer's side: its own marks,
the marks of the next player, the marks of the player after that.
"""

from __future__ import annotations

import numpy as np
from gymnasium import spaces
from pettingzoo import AECEnv

from az_pz.adapters.cloneable import copy_aec_common, register_cloner
from .turn_based import TurnBasedGame, wrap

SIZE = 4
NUM_PLAYERS = 3


def _lines() -> tuple[tuple[int, int, int], ...]:
    lines = []
    for row in range(SIZE):
        for col in range(SIZE):
            for d_row, d_col in ((0, 1), (1, 0), (1, 1), (1, -1)):
                cells = [(row + k * d_row, col + k * d_col) for k in range(3)]
                if all(0 <= r < SIZE and 0 <= c < SIZE for r, c in cells):
                    lines.append(tuple(r * SIZE + c for r, c in cells))
    return tuple(lines)


LINES = _lines()


def env(**kwargs) -> AECEnv:
    """The game wrapped like PettingZoo's classic envs (illegal moves lose, call order enforced)."""
    return wrap(raw_env(**kwargs))


class raw_env(TurnBasedGame):
    metadata = {"render_modes": ["ansi"], "name": "three_in_a_row_3p_v0", "is_parallelizable": False}
    board_width = SIZE
    symbols = ".XOV"

    def __init__(self, render_mode: str | None = None):
        super().__init__()
        self.render_mode = render_mode
        self.possible_agents = [f"player_{i}" for i in range(NUM_PLAYERS)]
        self.agents = self.possible_agents[:]
        self.action_spaces = {a: spaces.Discrete(SIZE * SIZE) for a in self.possible_agents}
        self.observation_spaces = {
            a: spaces.Dict(
                {
                    "observation": spaces.Box(0, 1, (SIZE, SIZE, NUM_PLAYERS), np.int8),
                    "action_mask": spaces.Box(0, 1, (SIZE * SIZE,), np.int8),
                }
            )
            for a in self.possible_agents
        }
        self.board = np.zeros(SIZE * SIZE, dtype=np.int8)  # 0 empty, seat + 1 otherwise

    def action_space(self, agent):
        return self.action_spaces[agent]

    def observation_space(self, agent):
        return self.observation_spaces[agent]

    def reset(self, seed=None, options=None):
        self._reset_turns()
        self.board = np.zeros(SIZE * SIZE, dtype=np.int8)

    def observe(self, agent):
        seat = self.possible_agents.index(agent)
        board = self.board.reshape(SIZE, SIZE)
        planes = np.stack(
            [board == (seat + k) % NUM_PLAYERS + 1 for k in range(NUM_PLAYERS)], axis=-1
        ).astype(np.int8)
        mask = np.zeros(SIZE * SIZE, dtype=np.int8)
        if agent == self.agent_selection:
            mask[self.board == 0] = 1
        return {"observation": planes, "action_mask": mask}

    def step(self, action):
        agent = self._start_step(action)
        if agent is None:
            return
        action = int(action)
        assert self.board[action] == 0, f"cell {action} is taken"
        mark = self.possible_agents.index(agent) + 1
        self.board[action] = mark
        if any(all(self.board[i] == mark for i in line) for line in LINES if action in line):
            self._end_game(agent)
        elif not (self.board == 0).any():
            self._end_game(None)
        self._pass_turn()


def _clone(raw: raw_env) -> raw_env:
    """Fast exact copy for CloneableEnv: the AEC basics plus the board."""
    new = copy_aec_common(raw)
    new.board = raw.board.copy()
    return new


register_cloner(raw_env, _clone)
