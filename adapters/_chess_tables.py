"""Precomputed tables for the fast chess task: action numbering and observation planes.

PettingZoo's chess (``pettingzoo/classic/chess/chess_utils.py``) numbers a
move ``(col * 8 + row) * 73 + plane`` from the *mover's* point of view (black's
moves are mirrored first) and fills its conversion dicts lazily while playing.
Here every table is built once at import, so converting a move is a list
lookup. Planes: 0-55 queen moves (``distance - 1) * 8 + direction``), 56-63
knight moves, 64-72 underpromotions ``3 * (dx + 1) + (N, B, R)``; queen
promotions use the plain queen-move plane.

Observation planes are kept as 64-bit bitboards (bit ``s`` = square ``s``,
python-chess numbering) and unpacked to float32 only when observed.
"""

from __future__ import annotations

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

_BITS = ((np.arange(256, dtype=np.uint16)[:, None] >> np.arange(8)) & 1).astype(np.float32)
"""``_BITS[byte, j]`` = bit j of byte: unpacks one rank of a bitboard into 8 floats."""

_BLACK_HISTORY_ORDER = tuple(
    13 * block + (plane + 6) % 12 if plane < 12 else 13 * block + 12 for block in range(8) for plane in range(13)
)
"""Black's view of the 104 history planes: each block's own six piece planes swapped with the opponent's."""


def board_planes(board: chess.Board, repeated: bool) -> tuple[int, ...]:
    """The 13 history planes PettingZoo stores after a move (``get_observation(board, 0)[..., 7:]``).

    White's six piece planes, black's six, then the repetition plane (all ones
    when the position occurred before). The pawn that just advanced two
    squares is drawn on its own back rank (LeelaChessZero's en passant mark).
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
    return (
        white_pawns, knights & white, bishops & white, rooks & white, queens & white, kings & white,
        black_pawns, knights & black, bishops & black, rooks & black, queens & black, kings & black,
        ALL_SQUARES if repeated else 0,
    )


def aux_planes(board: chess.Board, player: int) -> tuple[int, ...]:
    """The first 7 planes of ``get_observation(board, player)``: castling, colour, clock, ones."""
    rights = board.castling_rights
    if player == 0:
        corners = (chess.BB_H1, chess.BB_A1, chess.BB_H8, chess.BB_A8)
    else:  # black sees the mirrored board: its own corners first
        corners = (chess.BB_H8, chess.BB_A8, chess.BB_H1, chess.BB_A1)
    castling = tuple(ALL_SQUARES if rights & corner else 0 for corner in corners)
    colour = ALL_SQUARES if player else 0
    return castling + (colour, 1 << (board.halfmove_clock // 2), ALL_SQUARES)


def observation_planes(board: chess.Board, history: tuple[int, ...], player: int) -> np.ndarray:
    """uint64 ``[111]`` bitboards of ``env.observe(agent)`` for seat ``player``, history reordered for black."""
    if player == 0:
        planes = aux_planes(board, 0) + history
    else:
        planes = aux_planes(board, 1) + tuple([history[i] for i in _BLACK_HISTORY_ORDER])
    return np.array(planes, dtype=np.uint64)


def unpack_planes(planes: np.ndarray, flip: bool) -> np.ndarray:
    """float32 ``[N, 8, 8]`` of uint64 bitboards ``[N]``; row 0 is rank 8 when ``flip`` (white's view)."""
    if flip:
        planes = planes.byteswap()
    return _BITS[planes.view(np.uint8)].reshape(-1, 8, 8)


def observe(board: chess.Board, history: tuple[int, ...], player: int) -> np.ndarray:
    """float32 ``[111, 8, 8]``: PettingZoo's ``observe(agent)["observation"]`` transposed to CHW.

    PettingZoo draws bit ``s`` at row ``7 - s // 8`` and flips black's whole
    observation upside down, so white's view swaps the byte order and
    black's does not.
    """
    return unpack_planes(observation_planes(board, history, player), flip=player == 0)


def history_to_hwc(history: tuple[int, ...]) -> np.ndarray:
    """bool ``[8, 8, 104]``: the env's ``board_history`` array for our 104 white-frame planes."""
    return unpack_planes(np.array(history, dtype=np.uint64), flip=True).transpose(1, 2, 0).astype(bool)


def history_from_hwc(board_history: np.ndarray) -> tuple[int, ...]:
    """Inverse of :func:`history_to_hwc`: ``env.board_history`` ``[8, 8, 104]`` -> 104 bitboards."""
    planes = np.ascontiguousarray(np.asarray(board_history, dtype=bool).transpose(2, 0, 1)[:, ::-1, :])
    packed = np.packbits(planes.reshape(-1, 64), axis=1, bitorder="little")
    return tuple(int(x) for x in np.ascontiguousarray(packed).view("<u8").reshape(-1))
