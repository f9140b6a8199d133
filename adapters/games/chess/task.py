"""Fast native task for PettingZoo's ``chess_v6``, identical to the env and far faster.

``make_task("chess_v6")`` returns :class:`ChessTask`. Its observations, masks,
action numbering, rewards and game ends are those of
``pettingzoo.classic.chess_v6`` at every step (differential tests in
``tests/adapters/test_chess.py`` prove it), but a step neither copies the
move stack nor replays it: a :class:`ChessState` holds a python-chess board
without stack, the 104 history planes as bitboards, and the positions since
the last irreversible move as exact integer keys (see ``_chess_rules``).

Seats: 0 = ``player_0`` (white), 1 = ``player_1`` (black).
"""

from __future__ import annotations

from typing import Any

import chess
import numpy as np

from az_pz.adapters.games.chess import movegen
from az_pz.adapters.games.chess import rules
from az_pz.adapters.games.chess import tables
from az_pz.adapters.native import NativeTask

__all__ = ["ChessState", "ChessTask", "MATERIAL_SCALE", "MATERIAL_VALUES", "NUM_ACTIONS", "OBSERVATION_SHAPE",
           "POLICY_LAYOUT", "POLICY_PLANES"]

NUM_ACTIONS = tables.NUM_ACTIONS
"""4672 = 8 x 8 x 73, PettingZoo's numbering (mirrored for black)."""
OBSERVATION_SHAPE = (111, 8, 8)
"""PettingZoo's (8, 8, 111) observation, channels first."""
POLICY_PLANES = 73
"""Move types per from-square: 56 queen moves, 8 knight moves, 9 underpromotions."""
POLICY_LAYOUT = ("col", "-row", "plane")
"""Action ``(file * 8 + rank) * 73 + plane`` (mover's frame) in the observation's rows and columns: row ``i``
shows rank ``7 - i`` and column ``j`` file ``j`` (both colours, black's board mirrored), so the from-square
of action ``(col * 8 + (7 - row)) * 73 + plane`` is observation square ``(row, col)``."""

MATERIAL_VALUES = {chess.PAWN: 1, chess.KNIGHT: 3, chess.BISHOP: 3, chess.ROOK: 5, chess.QUEEN: 9}
"""The textbook piece values :meth:`ChessTask.adjudicate` counts."""
MATERIAL_SCALE = 5.0
"""Material difference ``d`` maps to ``tanh(d / 5)``: a pawn up 0.20, a minor piece 0.54, a rook 0.76, a
queen 0.95. A single pawn stays a weak signal (noisy, often lost back in young-network play) while a piece
or more, which decides games between weak players, is close to a win."""

_STANDARD_START = chess.Board()
_NO_HISTORY = tables.NO_HISTORY
_KEPT_HISTORY = 7 * 13 * 8
"""Bytes of the 7 newest boards, kept when a move pushes a new board onto the history."""


class ChessState:
    """One chess position with what the observation and the draw rules need. Treat as immutable.

    Attributes are shared between states (nothing is ever changed after
    creation), so keeping thousands alive in a search tree is cheap.
    """

    __slots__ = ("board", "history", "segment", "repeated", "moves", "root", "result", "legal_actions")

    board: chess.Board
    """The position (python-chess, at most one move of stack). Never mutate it."""
    history: bytes
    """PettingZoo's ``board_history`` packed: 8 boards x 13 planes x 8 bytes, white's frame, newest first."""
    segment: tuple[int, ...]
    """Position keys since the last irreversible move, the current one last."""
    repeated: tuple[int, ...]
    """Keys of ``segment`` that occur at least twice."""
    moves: tuple | None
    """The game's moves as a linked list ``(last_move, earlier)``; rebuilds the env's move stack."""
    root: chess.Board
    """The position the game started from (never mutated)."""
    result: tuple[float, float] | None
    """Seat-order rewards of the game's end, or None while it goes on."""
    legal_actions: tuple[int, ...]
    """Legal moves of ``board`` in PettingZoo's numbering (also on terminal states, as the env's mask)."""

    def copy(self) -> ChessState:
        """An independent copy (its own board object); states never change, so this is rarely needed."""
        new = object.__new__(ChessState)
        new.board = self.board.copy(stack=False)
        new.history, new.segment, new.repeated = self.history, self.segment, self.repeated
        new.moves, new.root, new.result, new.legal_actions = self.moves, self.root, self.result, self.legal_actions
        return new

    def legal_moves(self) -> list[chess.Move]:
        """The legal moves (python-chess), in the order of ``legal_actions``."""
        return [tables.action_to_move(self.board, action) for action in self.legal_actions]

    @property
    def white_to_move(self) -> bool:
        return self.board.turn == chess.WHITE

    def move_stack(self) -> list[chess.Move]:
        """All moves since ``root``, oldest first."""
        out = []
        node = self.moves
        while node is not None:
            out.append(node[0])
            node = node[1]
        out.reverse()
        return out

    def __repr__(self) -> str:
        return f"ChessState({self.board.fen()!r}, plies={len(self.move_stack())}, result={self.result})"


_COMPUTE = object()


def _make_state(board, history, segment, repeated, count, moves, root, result: Any = _COMPUTE) -> ChessState:
    state = object.__new__(ChessState)
    state.board = board
    state.history = history
    state.segment = segment
    state.repeated = repeated
    state.moves = moves
    state.root = root
    legal = movegen.legal_actions(board)
    state.legal_actions = legal
    if result is not _COMPUTE:
        state.result = result
    else:
        white = rules.game_result(board, bool(legal), count, repeated, state.legal_moves)
        state.result = None if white is None else (float(white), float(-white))
    return state


class ChessTask(NativeTask[ChessState]):
    """PettingZoo's ``chess_v6`` as a fast, pure :class:`~az_pz.task.Task`.

    Keyword arguments (``render_mode``, ``screen_height``) go to the env
    :meth:`make_env` builds; they do not change the game.
    """

    env_id = "classic/chess-v6"
    env_module = "pettingzoo.classic.chess.chess"

    def __init__(self, **env_kwargs: Any) -> None:
        super().__init__(**env_kwargs)
        self.spec = self._single_phase_spec("chess_v6", OBSERVATION_SHAPE, NUM_ACTIONS, "move",
                                            policy_planes=POLICY_PLANES, policy_layout=POLICY_LAYOUT)

    # --- the Task protocol -------------------------------------------------------------------

    def initial_state(self, seed: int | None = None) -> ChessState:
        """The standard start (``env.reset()``): empty history, white (seat 0) to move."""
        board = _STANDARD_START.copy(stack=False)
        return _make_state(board, _NO_HISTORY, (rules.position_key(board),), (), 1, None, _STANDARD_START)

    def to_play(self, state: ChessState) -> int:
        return 0 if state.board.turn == chess.WHITE else 1

    def legal_mask(self, state: ChessState) -> np.ndarray:
        """bool ``[4672]``: the env's ``action_mask`` for the player to move (also on terminal states)."""
        mask = np.zeros(NUM_ACTIONS, dtype=bool)
        mask[list(state.legal_actions)] = True
        return mask

    def legal_actions(self, state: ChessState) -> np.ndarray:
        """int64 ``[n]``: the legal actions, unsorted."""
        return np.array(state.legal_actions, dtype=np.int64)

    def observe(self, state: ChessState, player: int | None = None) -> np.ndarray:
        """float32 ``[111, 8, 8]``: ``env.observe(agent)["observation"]`` (HWC) transposed to CHW.

        From the perspective of ``player`` (default: the player to move);
        black's view is mirrored with own pieces first, as in PettingZoo.
        """
        if player is None:
            player = self.to_play(state)
        return tables.observe(state.board, state.history, player)

    def step(self, state: ChessState, action: int) -> tuple[ChessState, np.ndarray]:
        """Play ``action``; returns the new state and float32 ``[2]`` rewards (seat order, as ``env.rewards``).

        Raises ValueError on a terminal state or an illegal action (PettingZoo's
        wrapper would end the game with -1 for the mover instead).
        """
        if state.result is not None:
            raise ValueError("the game is over; no action can be played")
        action = int(action)
        if action not in state.legal_actions:
            raise ValueError(f"action {action} is illegal in {state.board.fen()}")
        move = tables.action_to_move(state.board, action)
        irreversible = state.board.is_irreversible(move)
        board = state.board.copy(stack=False)
        board.push(move)
        key = rules.position_key(board)
        segment, repeated, count = rules.extend_segment(state.segment, state.repeated, key, irreversible)
        history = tables.board_planes(board, count >= 2) + state.history[:_KEPT_HISTORY]
        new = _make_state(board, history, segment, repeated, count, (move, state.moves), state.root)
        rewards = np.zeros(2, dtype=np.float32) if new.result is None else np.array(new.result, dtype=np.float32)
        return new, rewards

    def is_terminal(self, state: ChessState) -> bool:
        return state.result is not None

    # --- extras ------------------------------------------------------------------------------

    def copy_state(self, state: ChessState) -> ChessState:
        """An independent copy with its own board (states are never changed, so sharing is safe too)."""
        return state.copy()

    def action_to_move(self, state: ChessState, action: int) -> chess.Move:
        """The python-chess move of ``action`` (what PettingZoo plays; may be illegal)."""
        return tables.action_to_move(state.board, int(action))

    def move_to_action(self, state: ChessState, move: chess.Move | str) -> int:
        """PettingZoo's action number of a move (``chess.Move`` or UCI string) in this position."""
        if isinstance(move, str):
            move = chess.Move.from_uci(move)
        action = tables.move_to_action(move, state.board.turn)
        if action < 0:
            raise ValueError(f"{move.uci()} has no action in PettingZoo's numbering")
        return action

    def returns(self, state: ChessState) -> np.ndarray:
        """float32 ``[2]`` seat-order final rewards of a terminal state (zeros otherwise)."""
        return np.zeros(2, np.float32) if state.result is None else np.array(state.result, np.float32)

    def adjudicate(self, state: ChessState) -> np.ndarray:
        """float32 ``[2]`` seat-order estimate of an unfinished game's returns, from material alone.

        Self-play cuts a game at ``selfplay.max_moves`` and, with ``selfplay.adjudicate_capped``, takes
        this as its value target. ``d`` = white's material minus black's (pawn 1, knight 3, bishop 3,
        rook 5, queen 9); white gets ``tanh(d / MATERIAL_SCALE)``, black the negative (zero-sum). A
        terminal state gets its real result.
        """
        if state.result is not None:
            return np.array(state.result, np.float32)
        board = state.board
        d = sum(value * (len(board.pieces(piece, chess.WHITE)) - len(board.pieces(piece, chess.BLACK)))
                for piece, value in MATERIAL_VALUES.items())
        white = float(np.tanh(d / MATERIAL_SCALE))
        return np.array([white, -white], np.float32)

    def render(self, state: ChessState) -> str:
        """The board as text (PettingZoo's ``ansi`` render), with side to move and result."""
        status = "white (player_0) to move" if state.white_to_move else "black (player_1) to move"
        if state.result is not None:
            status = {1.0: "1-0", -1.0: "0-1", 0.0: "1/2-1/2"}.get(state.result[0], "game over")
        return f"{state.board}\n{state.board.fen()}  [{status}]"

    def key(self, state: ChessState) -> tuple:
        """Hashable identity of everything the observation and rules depend on."""
        return state.segment, state.history, state.board.halfmove_clock, state.board.castling_rights

    # --- PettingZoo env conversion (make_env, state_from_env, env_from_state: NativeTask) ------

    def _read_env(self, raw: Any) -> ChessState:
        from az_pz.adapters.games.chess.env import read_env

        return read_env(raw)

    def _write_env(self, state: ChessState, raw: Any) -> None:
        from az_pz.adapters.games.chess.env import write_env

        write_env(state, raw)


def replay(root: chess.Board, moves: list[chess.Move], history: bytes | None = None,
           result: Any = _COMPUTE) -> ChessState:
    """The state after ``moves`` from ``root``.

    The history planes are rebuilt unless given; the result is decided by the
    rules unless given (``None``: the game goes on).
    """
    board = root.copy(stack=False)
    segment: tuple[int, ...] = (rules.position_key(board),)
    repeated: tuple[int, ...] = ()
    count = 1
    rebuilt = _NO_HISTORY
    linked = None
    for move in moves:
        irreversible = board.is_irreversible(move)
        board.push(move)
        segment, repeated, count = rules.extend_segment(segment, repeated, rules.position_key(board), irreversible)
        if history is None:
            rebuilt = tables.board_planes(board, count >= 2) + rebuilt[:_KEPT_HISTORY]
        linked = (move, linked)
    board = board.copy(stack=False)
    return _make_state(board, rebuilt if history is None else history, segment, repeated, count, linked,
                       root.copy(stack=False), result)
