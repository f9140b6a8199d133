"""Tiny exact Tasks for the search tests: the right answer of each is known by hand.

States are tuples (immutable), so purity holds by construction.
"""

from __future__ import annotations

import numpy as np

from az_pz.evaluators import Evaluation
from az_pz.task import PhaseSpec, TaskSpec

_LINES = ((0, 1, 2), (3, 4, 5), (6, 7, 8), (0, 3, 6), (1, 4, 7), (2, 5, 8), (0, 4, 8), (2, 4, 6))


class TicTacToe:
    """Tic-tac-toe; state = (board of 9 cells: -1 empty or the seat, seat to move, winner or -1, done)."""

    spec = TaskSpec("fixture_tictactoe", 2, (PhaseSpec((3, 3, 3), 9),))

    def initial_state(self, seed=None):
        return ((-1,) * 9, 0, -1, False)

    def from_board(self, rows: str, to_play: int):
        """``rows`` like ``"XX. OO. ..."`` (X = seat 0, O = seat 1)."""
        cells = rows.replace(" ", "")
        board = tuple({"X": 0, "O": 1, ".": -1}[c] for c in cells)
        return (board, to_play, -1, False)

    def to_play(self, state):
        return state[1]

    def phase(self, state):
        return 0

    def legal_mask(self, state):
        return np.array([c == -1 for c in state[0]], bool)

    def observe(self, state):
        board = np.array(state[0]).reshape(3, 3)
        me = state[1]
        return np.stack([board == me, board == 1 - me, np.ones((3, 3))]).astype(np.float32)

    def step(self, state, action):
        board, player, _, _ = state
        if board[action] != -1:
            raise ValueError("illegal move")
        board = board[:action] + (player,) + board[action + 1:]
        rewards = np.zeros(2, np.float32)
        if any(all(board[i] == player for i in line) for line in _LINES):
            rewards[player], rewards[1 - player] = 1.0, -1.0
            return (board, 1 - player, player, True), rewards
        return (board, 1 - player, -1, all(c != -1 for c in board)), rewards

    def is_terminal(self, state):
        return state[3]

    def key(self, state):
        return state[:2]


class Bandit:
    """One move, one seat: action ``a`` pays ``payoffs[a]`` and ends the game."""

    def __init__(self, payoffs=(0.0, 0.5, -0.5, 1.0, 0.25)):
        self.payoffs = tuple(payoffs)
        self.spec = TaskSpec("fixture_bandit", 1, (PhaseSpec((1, 1, 1), len(self.payoffs)),))

    def initial_state(self, seed=None):
        return (False,)

    def to_play(self, state):
        return 0

    def phase(self, state):
        return 0

    def legal_mask(self, state):
        return np.ones(len(self.payoffs), bool)

    def observe(self, state):
        return np.zeros((1, 1, 1), np.float32)

    def step(self, state, action):
        return (True,), np.array([self.payoffs[action]], np.float32)

    def is_terminal(self, state):
        return state[0]


class ThreeKings:
    """Three seats, three plies; the right choice of each seat depends on its *own* return only.

    Seat 0 picks ``0`` (go left) or ``1`` (go right). Left: seat 1 picks between
    payoffs ``(-1, +1, 0)`` and ``(+1, 0, 0)``; it takes the first (best for seat 1).
    Right: seat 2 picks between ``(0.5, 0, 1)`` and ``(-1, 0, 0.5)``; it takes the
    first. So seat 0 gets -1 going left and 0.5 going right: the answer is 1, and
    the root's value vector is ``(0.5, 0, 1)``. A search that treats the game as
    two-player zero-sum (or backs up one scalar) gets it wrong.
    State = (path of actions so far,). Rewards arrive on the last ply.
    """

    spec = TaskSpec("fixture_three_kings", 3, (PhaseSpec((1, 1, 1), 2),))
    LEFT = ((-1.0, 1.0, 0.0), (1.0, 0.0, 0.0))
    RIGHT = ((0.5, 0.0, 1.0), (-1.0, 0.0, 0.5))

    def initial_state(self, seed=None):
        return ()

    def to_play(self, state):
        return 0 if not state else (1 if state[0] == 0 else 2)

    def phase(self, state):
        return 0

    def legal_mask(self, state):
        return np.ones(2, bool)

    def observe(self, state):
        return np.zeros((1, 1, 1), np.float32)

    def step(self, state, action):
        path = state + (action,)
        if len(path) == 1:
            return path, np.zeros(3, np.float32)
        table = self.LEFT if path[0] == 0 else self.RIGHT
        return path, np.array(table[action], np.float32)

    def is_terminal(self, state):
        return len(state) == 2


class GreedyTrap:
    """One seat, two plies, rewards on every ply.

    Action 0 pays +1 now, then the only move pays -2 (total -1). Action 1 pays
    0 now, then a choice: +0.5 or -1. Best: 1 then 0, total 0.5. Getting it
    right needs the rewards met along the path, not only the leaf values.
    State = (path,).
    """

    spec = TaskSpec("fixture_greedy_trap", 1, (PhaseSpec((1, 1, 1), 2),))

    def initial_state(self, seed=None):
        return ()

    def to_play(self, state):
        return 0

    def phase(self, state):
        return 0

    def legal_mask(self, state):
        if len(state) == 1 and state[0] == 0:
            return np.array([True, False])
        return np.ones(2, bool)

    def observe(self, state):
        return np.zeros((1, 1, 1), np.float32)

    def step(self, state, action):
        path = state + (action,)
        if len(path) == 1:
            reward = 1.0 if action == 0 else 0.0
        elif path[0] == 0:
            reward = -2.0
        else:
            reward = 0.5 if action == 0 else -1.0
        return path, np.array([reward], np.float32)

    def is_terminal(self, state):
        return len(state) == 2


class Endless:
    """Two seats alternate forever (no rewards, never terminal); state = number of plies played.

    Only a depth guard lets a search of it stop descending.
    """

    spec = TaskSpec("fixture_endless", 2, (PhaseSpec((1, 1, 1), 2),))

    def initial_state(self, seed=None):
        return 0

    def to_play(self, state):
        return state % 2

    def phase(self, state):
        return 0

    def legal_mask(self, state):
        return np.ones(2, bool)

    def observe(self, state):
        return np.zeros((1, 1, 1), np.float32)

    def step(self, state, action):
        return state + 1, np.zeros(2, np.float32)

    def is_terminal(self, state):
        return False


class ConstantEvaluator:
    """Zero logits and the same value vector for every state; counts the states it saw."""

    def __init__(self, value):
        self.value = np.asarray(value, np.float32)
        self.calls = 0
        self.states = 0

    def evaluate(self, task, states):
        self.calls += 1
        self.states += len(states)
        return Evaluation(np.zeros((len(states), task.spec.max_actions), np.float32),
                          np.tile(self.value, (len(states), 1)))


class TwoPhase:
    """One seat, two phases with different action spaces (2 then 4 actions).

    Phase 0 picks a row ``r`` (0 or 1), phase 1 a column ``c`` (0..3); the game
    pays ``PAYOFF[r][c]`` at the end. Best: row 1, column 2 (0.9). Masks are
    shorter than ``A_max`` in phase 0 (padding) and column 3 is illegal in row 1.
    """

    spec = TaskSpec("fixture_two_phase", 1, (PhaseSpec((1, 1, 1), 2, "row"), PhaseSpec((1, 2, 2), 4, "col")))
    PAYOFF = ((0.1, 0.2, 0.3, 0.4), (0.0, -0.5, 0.9, 5.0))

    def initial_state(self, seed=None):
        return ()

    def to_play(self, state):
        return 0

    def phase(self, state):
        return len(state)

    def legal_mask(self, state):
        if not state:
            return np.ones(2, bool)
        return np.array([True, True, True, state[0] == 0])

    def observe(self, state):
        return np.zeros(self.spec.phases[self.phase(state)].observation_shape, np.float32)

    def step(self, state, action):
        path = state + (action,)
        reward = self.PAYOFF[path[0]][action] if len(path) == 2 else 0.0
        return path, np.array([reward], np.float32)

    def is_terminal(self, state):
        return len(state) == 2
