"""Tiny morris: a two-phase, two-player AEC game (place pieces, then move them).

3x3 board, cells numbered ``row * 3 + col``. Each player has three pieces.

* **Place phase** (``Discrete(9)``): players alternate putting a piece on an
  empty cell until both have placed all three.
* **Move phase** (``Discrete(36)``): action ``cell * 4 + direction`` slides one
  of the mover's pieces to the orthogonally adjacent empty cell (directions
  up, down, left, right).

Three of one's pieces in a row, column or diagonal wins (+1, the other -1).
After 24 slides the game is a draw, so a game lasts at most 30 plies. (A
player always has a slide: on this board, every position where one side's
pieces are all blocked contains a line, which has already ended the game.)

Observation ``(3, 3, 4)`` int8 (HWC) from the observer's side: own pieces,
opponent pieces, all ones in the observer's move phase, all ones if the
observer moves first. ``action_mask`` has the size of the current action space.

Why each agent has its *own* phase: PettingZoo's ``api_test`` checks an agent's
last observation against ``observation_space(agent)`` *after* that agent steps,
so an agent's spaces may only change while another agent moves. An agent
therefore enters its move phase during the step after it placed its last piece,
which is always before its next turn.
"""

from __future__ import annotations

import numpy as np
from gymnasium import spaces
from pettingzoo import AECEnv

from az_pz.adapters.cloneable import copy_aec_common, register_cloner
from .turn_based import TurnBasedGame, wrap

PIECES = 3
MAX_SLIDES = 24
_LINES = ((0, 1, 2), (3, 4, 5), (6, 7, 8), (0, 3, 6), (1, 4, 7), (2, 5, 8), (0, 4, 8), (2, 4, 6))
_STEPS = ((-1, 0), (1, 0), (0, -1), (0, 1))


def _slide_target(cell: int, direction: int) -> int | None:
    row, col = divmod(cell, 3)
    d_row, d_col = _STEPS[direction]
    row, col = row + d_row, col + d_col
    return row * 3 + col if 0 <= row < 3 and 0 <= col < 3 else None


def env(**kwargs) -> AECEnv:
    """The game wrapped like PettingZoo's classic envs (illegal moves lose, call order enforced)."""
    return wrap(raw_env(**kwargs))


class raw_env(TurnBasedGame):
    metadata = {"render_modes": ["ansi"], "name": "tiny_morris_v0", "is_parallelizable": False}
    board_width = 3
    symbols = ".XO"

    def __init__(self, render_mode: str | None = None):
        super().__init__()
        self.render_mode = render_mode
        self.possible_agents = ["player_0", "player_1"]
        self.agents = self.possible_agents[:]
        board_space = spaces.Box(0, 1, (3, 3, 4), np.int8)
        # one space object per (agent, phase): api_test wants the same object on every call
        self._action_spaces = {a: (spaces.Discrete(9), spaces.Discrete(36)) for a in self.possible_agents}
        self._observation_spaces = {
            a: tuple(
                spaces.Dict({"observation": board_space, "action_mask": spaces.Box(0, 1, (n,), np.int8)})
                for n in (9, 36)
            )
            for a in self.possible_agents
        }
        self.board = np.zeros(9, dtype=np.int8)  # 0 empty, 1 player_0, 2 player_1
        self.placed = {a: 0 for a in self.possible_agents}  # pieces placed by each agent
        self.phase = {a: 0 for a in self.possible_agents}  # 0 place, 1 move (see module doc)
        self.slides = 0  # slides played so far

    def action_space(self, agent):
        return self._action_spaces[agent][self.phase[agent]]

    def observation_space(self, agent):
        return self._observation_spaces[agent][self.phase[agent]]

    def reset(self, seed=None, options=None):
        if seed is not None:  # seed_test seeds only the spaces of the current phase: seed the others too
            for i, agent in enumerate(self.possible_agents):
                for phase in range(2):
                    self._action_spaces[agent][phase].seed(seed + 2 * i + phase)
                    self._observation_spaces[agent][phase].seed(seed + 2 * i + phase)
        self._reset_turns()
        self.board = np.zeros(9, dtype=np.int8)
        self.placed = {a: 0 for a in self.agents}
        self.phase = {a: 0 for a in self.agents}
        self.slides = 0

    def _mark(self, agent) -> int:
        return self.possible_agents.index(agent) + 1

    def _legal(self, agent) -> np.ndarray:
        if self.phase[agent] == 0:
            mask = np.zeros(9, dtype=np.int8)
            if agent == self.agent_selection:
                mask[self.board == 0] = 1
            return mask
        mask = np.zeros(36, dtype=np.int8)
        if agent == self.agent_selection:
            for cell in np.flatnonzero(self.board == self._mark(agent)):
                for direction in range(4):
                    target = _slide_target(int(cell), direction)
                    if target is not None and self.board[target] == 0:
                        mask[cell * 4 + direction] = 1
        return mask

    def observe(self, agent):
        mark = self._mark(agent)
        planes = np.zeros((3, 3, 4), dtype=np.int8)
        board = self.board.reshape(3, 3)
        planes[:, :, 0] = board == mark
        planes[:, :, 1] = (board != mark) & (board != 0)
        planes[:, :, 2] = self.phase[agent]
        planes[:, :, 3] = agent == self.possible_agents[0]
        return {"observation": planes, "action_mask": self._legal(agent)}

    def _wins(self, mark: int) -> bool:
        return any(all(self.board[i] == mark for i in line) for line in _LINES)

    def step(self, action):
        agent = self._start_step(action)
        if agent is None:
            return
        action = int(action)
        assert self._legal(agent)[action], f"illegal action {action} for {agent}"
        mark = self._mark(agent)
        if self.phase[agent] == 0:
            self.board[action] = mark
            self.placed[agent] += 1
        else:
            cell, direction = divmod(action, 4)
            self.board[cell] = 0
            self.board[_slide_target(cell, direction)] = mark
            self.slides += 1
        for other in self.agents:  # other agents enter their move phase (see module doc)
            if other != agent and self.placed[other] == PIECES:
                self.phase[other] = 1
        if self._wins(mark):
            self._end_game(agent)
        elif self.slides >= MAX_SLIDES:
            self._end_game(None)
        self._pass_turn()


def _clone(raw: raw_env) -> raw_env:
    """Fast exact copy for CloneableEnv: the AEC basics plus this game's own mutable state."""
    new = copy_aec_common(raw)
    new.board = raw.board.copy()
    new.placed = dict(raw.placed)
    new.phase = dict(raw.phase)
    return new


register_cloner(raw_env, _clone)
