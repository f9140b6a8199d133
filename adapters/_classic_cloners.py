"""Fast cloners for PettingZoo's classic board games (tic-tac-toe, connect four, chess, go).

Each copies exactly the state its game mutates, on top of
:func:`~az_pz.adapters.env_copy.copy_aec_common` (agents, reward / termination /
truncation / info dicts, agent selector, RNG). ``cloneable``'s table names them by the games' class
paths; importing this module imports none of the games.

What each game keeps, read from ``pettingzoo/classic/<game>``:

* tic-tac-toe: ``board`` (a ``Board`` holding the list ``squares``).
* connect four: ``board`` (a list of 42 ints).
* chess: ``board`` (a ``chess.Board``) and ``board_history`` (the last 8
  positions, observation planes 20..111). The *whole* move stack is needed:
  ``step`` ends the game on ``board.can_claim_draw()`` (threefold repetition
  replays the stack back to the last irreversible move) and
  ``board.result(claim_draw=True)``. Moves and ``_BoardState`` entries are
  immutable in practice (``push`` stores new objects, nothing edits them), so
  the clone copies the two stack *lists* and shares their items; this is what
  ``Board.copy()`` does, minus a ``copy.copy`` per move.
* go: ``_go`` (a ``go_base.Position``: board, liberty tracker, ko, history),
  ``board_history``, ``next_legal_moves`` and ``_last_obs``. go also keeps the
  board size in *module globals* (``go_base.N``, ``NEIGHBORS`` ...), which the
  last env constructed overwrites; the ``prepare`` hook puts back the globals of
  the env about to step, so envs of several sizes can live in one process.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from az_pz.adapters.env_copy import copy_aec_common


def clone_tictactoe(raw: Any) -> Any:
    new = copy_aec_common(raw)
    board = raw.board
    new_board = object.__new__(type(board))
    new_board.__dict__ = board.__dict__.copy()
    new_board.squares = list(board.squares)
    new.board = new_board
    return new


def clone_connect_four(raw: Any) -> Any:
    new = copy_aec_common(raw)
    new.board = list(raw.board)
    return new


def copy_chess_board(board: Any) -> Any:
    """An exact, independent ``chess.Board`` copy with its full move stack (faster than ``board.copy()``)."""
    new = object.__new__(type(board))
    state = board.__dict__.copy()
    state["occupied_co"] = list(board.occupied_co)
    state["move_stack"] = list(board.move_stack)
    state["_stack"] = list(board._stack)
    new.__dict__ = state
    return new


def clone_chess(raw: Any) -> Any:
    new = copy_aec_common(raw)
    new.board = copy_chess_board(raw.board)
    new.board_history = raw.board_history.copy()
    return new


def copy_go_position(position: Any) -> Any:
    """An independent ``go_base.Position``: board and liberty tracker arrays and group dict copied.

    ``recent`` (a tuple), ``caps`` (a tuple) and ``board_deltas`` (replaced, never written
    in place, by ``play_move``) are shared, exactly as ``Position.__deepcopy__`` does.
    """
    new = object.__new__(type(position))
    state = position.__dict__.copy()
    state["board"] = position.board.copy()
    tracker = position.lib_tracker
    new_tracker = object.__new__(type(tracker))
    tracker_state = tracker.__dict__.copy()
    tracker_state["group_index"] = tracker.group_index.copy()
    tracker_state["liberty_cache"] = tracker.liberty_cache.copy()
    tracker_state["groups"] = tracker.groups.copy()
    new_tracker.__dict__ = tracker_state
    state["lib_tracker"] = new_tracker
    new.__dict__ = state
    return new


def clone_go(raw: Any) -> Any:
    new = copy_aec_common(raw)
    go = raw.__dict__.get("_go")
    if go is not None:
        new._go = copy_go_position(go)
    history = raw.__dict__.get("board_history")
    if history is not None:
        new.board_history = history.copy()
    legal = raw.__dict__.get("next_legal_moves")
    if isinstance(legal, np.ndarray):
        new.next_legal_moves = legal.copy()
    elif isinstance(legal, list):
        new.next_legal_moves = list(legal)
    last_obs = raw.__dict__.get("_last_obs")
    if isinstance(last_obs, dict):
        new._last_obs = {key: value.copy() for key, value in last_obs.items()}
    return new


_GO_GLOBALS: dict[int, tuple[Any, ...]] = {}
"""Board size -> (ALL_COORDS, EMPTY_BOARD, NEIGHBORS, DIAGONALS) of ``go_base``."""


def ensure_go_globals(raw: Any) -> None:
    """Make ``go_base``'s module globals match ``raw``'s board size (cheap when they already do)."""
    from pettingzoo.classic.go import go_base

    size = raw._N
    if go_base.N == size and len(go_base.ALL_COORDS) == size * size:
        return
    cached = _GO_GLOBALS.get(size)
    if cached is None:
        raw._overwrite_go_global_variables(board_size=size)
        cached = (go_base.ALL_COORDS, go_base.EMPTY_BOARD, go_base.NEIGHBORS, go_base.DIAGONALS)
        _GO_GLOBALS[size] = cached
    go_base.N = size
    go_base.ALL_COORDS, go_base.EMPTY_BOARD, go_base.NEIGHBORS, go_base.DIAGONALS = cached
