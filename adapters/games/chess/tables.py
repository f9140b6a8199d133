"""Precomputed tables for the fast chess task: action numbering and observation planes.

PettingZoo's chess (``pettingzoo/classic/chess/chess_utils.py``) numbers a
move ``(col * 8 + row) * 73 + plane`` from the *mover's* point of view (black's
moves are mirrored first) and fills its conversion dicts lazily while playing.
Here every table is built once at import, so converting a move is a list
lookup. Planes: 0-55 queen moves (``distance - 1) * 8 + direction``), 56-63
knight moves, 64-72 underpromotions ``3 * (dx + 1) + (N, B, R)``; queen
promotions use the plain queen-move plane.

Observation planes are kept packed (8 bytes a plane) and unpacked to float32
only when observed.
"""

from __future__ import annotations

import struct

import chess
import numpy as np

NUM_ACTIONS = 8 * 8 * 73
"""Size of PettingZoo chess's action space."""

ALL_SQUARES = (1 << 64) - 1
"""A plane that is all ones."""

_QUEEN_DIRECTIONS = [(x, y) for x in (-1, 0, 1) for y in (-1, 0, 1) if (x, y) != (0, 0)]
"""Direction order of ``chess_utils.get_queen_dir`` (counter 0..7)."""
_KNIGHT_DIRECTIONS = [(x, y) for x in range(-2, 3) for y in range(-2, 3) if abs(x) + abs(y) == 3]
"""Order of ``chess_utils.get_knight_dir`` (counter 0..7)."""
_UNDERPROMOTIONS = (chess.KNIGHT, chess.BISHOP, chess.ROOK)


def _decode(action: int) -> tuple[int, int, int | None] | None:
    """White-frame ``(from, to, underpromotion piece or None)`` of an action; None if off the board."""
    cell, plane = divmod(action, 73)
    col, row = divmod(cell, 8)
    promotion = None
    if plane < 56:
        distance, counter = divmod(plane, 8)
        dx, dy = _QUEEN_DIRECTIONS[counter]
        dx, dy = dx * (distance + 1), dy * (distance + 1)
    elif plane < 64:
        dx, dy = _KNIGHT_DIRECTIONS[plane - 56]
    else:
        direction, piece = divmod(plane - 64, 3)
        dx, dy, promotion = direction - 1, 1, _UNDERPROMOTIONS[piece]
        if row != 6:
            return None
    to_col, to_row = col + dx, row + dy
    if not (0 <= to_col < 8 and 0 <= to_row < 8):
        return None
    return row * 8 + col, to_row * 8 + to_col, promotion


def _build_tables() -> tuple[list[int], list[tuple[int, int, int | None] | None]]:
    encode = [-1] * (64 * 64 * 8)
    decode: list[tuple[int, int, int | None] | None] = [None] * NUM_ACTIONS
    for action in range(NUM_ACTIONS):
        move = _decode(action)
        decode[action] = move
        if move is None:
            continue
        from_square, to_square, promotion = move
        base = (from_square * 64 + to_square) * 8
        if promotion is None:
            encode[base] = action  # no promotion
            encode[base + chess.QUEEN] = action  # queen promotion: the plain queen-move plane
        else:
            encode[base + promotion] = action
    return encode, decode


ENCODE, DECODE = _build_tables()
"""``ENCODE[(from * 64 + to) * 8 + (promotion or 0)]`` -> action (white frame, -1 if none);
``DECODE[action]`` -> white-frame ``(from, to, underpromotion or None)`` or None."""


def move_to_action(move: chess.Move, white_to_move: bool) -> int:
    """PettingZoo's action number of ``move`` (mirrored when black moves); -1 if it has none."""
    flip = 0 if white_to_move else 56
    return ENCODE[((move.from_square ^ flip) * 64 + (move.to_square ^ flip)) * 8 + (move.promotion or 0)]


def actions_of(moves: list[chess.Move], white_to_move: bool) -> tuple[int, ...]:
    """Actions of legal ``moves``, in the same order (the hot path of every step)."""
    encode = ENCODE
    if white_to_move:
        return tuple([encode[(m.from_square * 64 + m.to_square) * 8 + (m.promotion or 0)] for m in moves])
    return tuple([encode[((m.from_square ^ 56) * 64 + (m.to_square ^ 56)) * 8 + (m.promotion or 0)] for m in moves])


def action_to_move(board: chess.Board, action: int) -> chess.Move:
    """The move PettingZoo's ``chess_utils.action_to_move`` makes of ``action`` on ``board``.

    Mirrored for black; a queen-plane move of a pawn from the mover's seventh
    rank promotes to a queen. The move may be illegal (the caller checks).
    """
    decoded = DECODE[action] if 0 <= action < NUM_ACTIONS else None
    if decoded is None:
        raise ValueError(f"action {action} is not a chess move in PettingZoo's numbering")
    from_square, to_square, promotion = decoded
    if board.turn == chess.BLACK:
        from_square, to_square = from_square ^ 56, to_square ^ 56
    if promotion is None and from_square >> 3 == (6 if board.turn else 1) and board.pawns >> from_square & 1:
        promotion = chess.QUEEN
    return chess.Move(from_square, to_square, promotion=promotion)


# --- observation planes -------------------------------------------------------------------------
#
# A plane is a bitboard packed big-endian: byte k holds rank 8 - k, bit j of it file j. That is the
# row order of white's view (PettingZoo draws square s at row 7 - s // 8), so white's observation is
# a byte-to-bits lookup of the packed planes; black's view (PettingZoo flips it upside down and puts
# its own pieces first) reads the same bytes through a fixed permutation.

_BITS = ((np.arange(256, dtype=np.uint16)[:, None] >> np.arange(8)) & 1).astype(np.float32)
"""``_BITS[byte, j]`` = bit j of byte: unpacks one rank of a bitboard into 8 floats."""

_PACK_13 = struct.Struct(">13Q").pack
_PACK_7 = struct.Struct(">7Q").pack
NO_HISTORY = bytes(8 * 104)
"""The 104 history planes of ``env.reset()``: all zero."""


def _black_byte_order() -> np.ndarray:
    plane_order = list(range(7)) + [
        7 + 13 * block + ((plane + 6) % 12 if plane < 12 else 12) for block in range(8) for plane in range(13)
    ]
    return np.array([8 * plane + 7 - byte for plane in plane_order for byte in range(8)], dtype=np.intp)


_BLACK_BYTES = _black_byte_order()
"""Byte permutation of the 111 packed planes giving black's view: ranks reversed, piece planes swapped."""


def board_planes(board: chess.Board, repeated: bool) -> bytes:
    """The 13 history planes PettingZoo stores after a move (``get_observation(board, 0)[..., 7:]``).

    White's six piece planes, black's six, then the repetition plane (all ones
    when the position occurred before), packed. The pawn that just advanced
    two squares is drawn on its own back rank (LeelaChessZero's en passant mark).
    """
    black, white = board.occupied_co  # indexed by colour: BLACK = 0, WHITE = 1
    pawns, knights, bishops, rooks, queens, kings = (
        board.pawns, board.knights, board.bishops, board.rooks, board.queens, board.kings,
    )
    white_pawns, black_pawns = pawns & white, pawns & black
    ep = board.ep_square
    if ep:  # PettingZoo tests truthiness, so a (never legal) a1 square would be ignored too
        if ep < 32:
            white_pawns = (white_pawns & ~(1 << (ep + 8))) | (1 << (ep & 7))
        else:
            black_pawns = (black_pawns & ~(1 << (ep - 8))) | (1 << (56 + (ep & 7)))
    return _PACK_13(
        white_pawns, knights & white, bishops & white, rooks & white, queens & white, kings & white,
        black_pawns, knights & black, bishops & black, rooks & black, queens & black, kings & black,
        ALL_SQUARES if repeated else 0,
    )


def aux_planes(board: chess.Board, player: int) -> bytes:
    """The first 7 planes of ``get_observation(board, player)``, packed: castling, colour, clock, ones.

    Black's come from the mirrored board, so its own castling corners come first.
    """
    rights = board.castling_rights
    if player == 0:
        corners = (chess.BB_H1, chess.BB_A1, chess.BB_H8, chess.BB_A8)
    else:
        corners = (chess.BB_H8, chess.BB_A8, chess.BB_H1, chess.BB_A1)
    return _PACK_7(
        *[ALL_SQUARES if rights & corner else 0 for corner in corners],
        ALL_SQUARES if player else 0,
        1 << (board.halfmove_clock // 2),
        ALL_SQUARES,
    )


def observe(board: chess.Board, history: bytes, player: int) -> np.ndarray:
    """float32 ``[111, 8, 8]``: PettingZoo's ``observe(agent)["observation"]`` transposed to CHW."""
    packed = np.frombuffer(aux_planes(board, player) + history, dtype=np.uint8)
    if player:
        packed = packed.take(_BLACK_BYTES)
    return _BITS.take(packed, axis=0).reshape(111, 8, 8)


def history_to_hwc(history: bytes) -> np.ndarray:
    """bool ``[8, 8, 104]``: the env's ``board_history`` array of our packed history planes."""
    bits = np.unpackbits(np.frombuffer(history, dtype=np.uint8), bitorder="little").reshape(104, 8, 8)
    return np.ascontiguousarray(bits.transpose(1, 2, 0).astype(bool))


def history_from_hwc(board_history: np.ndarray) -> bytes:
    """Inverse of :func:`history_to_hwc`: ``env.board_history`` ``[8, 8, 104]`` -> packed planes."""
    planes = np.ascontiguousarray(np.asarray(board_history, dtype=bool).transpose(2, 0, 1))
    return np.packbits(planes.reshape(104, 64), axis=1, bitorder="little").tobytes()
