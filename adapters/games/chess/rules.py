"""Game-end rules of PettingZoo's chess without its move stack.

After every move PettingZoo's ``chess_v6`` ends the game when the mover's
opponent has no legal move, when ``board.is_insufficient_material()``, or when
``board.can_claim_draw()`` (fifty-move rule or threefold repetition *claimable*,
i.e. already reached or reachable with one legal move); the result is
``board.result(claim_draw=True)``: a win only for checkmate, else a draw.

python-chess answers the repetition questions by popping the move stack back
to the last irreversible move. We keep instead, per state, the positions since
that move (``segment``) as exact integer keys, and the keys that occur at least
twice (``repeated``), so each check costs a tuple scan, not a replay.
"""

from __future__ import annotations

from collections.abc import Callable

import chess

_MASK64 = (1 << 64) - 1


def position_key(board: chess.Board) -> int:
    """python-chess's ``board._transposition_key()`` packed into one exact integer.

    Fields (64 bits each): pawns, knights, bishops, rooks, queens, kings, white
    pieces, clean castling rights; then the legal en passant square + 1 (0 if
    none) and the side to move. Black's pieces are implied (all pieces minus
    white's), so two keys are equal exactly when python-chess's tuples are.
    """
    ep = board.ep_square
    ep_value = ep + 1 if ep is not None and board.has_legal_en_passant() else 0
    return (
        board.pawns
        | board.knights << 64
        | board.bishops << 128
        | board.rooks << 192
        | board.queens << 256
        | board.kings << 320
        | board.occupied_co[chess.WHITE] << 384
        | board.clean_castling_rights() << 448
        | ep_value << 512
        | int(board.turn) << 519
    )


def _key_white_to_move(key: int) -> bool:
    return bool(key >> 519 & 1)


def _key_occupied(key: int) -> int:
    return (key | key >> 64 | key >> 128 | key >> 192 | key >> 256 | key >> 320) & _MASK64


def extend_segment(
    segment: tuple[int, ...], repeated: tuple[int, ...], key: int, irreversible: bool
) -> tuple[tuple[int, ...], tuple[int, ...], int]:
    """Append the position reached by a move; returns ``(segment, repeated, count of key)``.

    An irreversible move (python-chess's ``is_irreversible``: capture, pawn
    move, lost castling right, or a position with a legal en passant capture)
    starts a new segment, as ``Board.is_repetition`` stops its replay there.
    """
    if irreversible:
        return (key,), (), 1
    segment = segment + (key,)
    count = segment.count(key)
    if count == 2:
        repeated = repeated + (key,)
    return segment, repeated, count


def can_claim_threefold(
    board: chess.Board, legal_moves: Callable[[], list[chess.Move]], count: int, repeated: tuple[int, ...]
) -> bool:
    """``board.can_claim_threefold_repetition()`` from the segment statistics.

    True when the position occurred three times, or a legal move reaches a
    position already seen twice. Only moves whose resulting occupancy matches
    a twice-seen position are played out (occupancy is a necessary condition).
    The board is pushed and popped but left unchanged.
    """
    if count >= 3:
        return True
    white_after = not board.turn
    candidates = {key for key in repeated if _key_white_to_move(key) == white_after}
    if not candidates:
        return False
    occupancies = {_key_occupied(key) for key in candidates}
    occupied = board.occupied
    squares = chess.BB_SQUARES
    for move in legal_moves():
        after = (occupied & ~squares[move.from_square]) | squares[move.to_square]
        if after not in occupancies and not board.is_castling(move) and not board.is_en_passant(move):
            continue
        board.push(move)
        try:
            if position_key(board) in candidates:
                return True
        finally:
            board.pop()
    return False


def can_claim_fifty(board: chess.Board, has_moves: bool) -> bool:
    """``board.can_claim_fifty_moves()``; ``has_moves`` says whether a legal move exists."""
    if board.halfmove_clock >= 100:
        return has_moves
    if board.halfmove_clock >= 99:
        return board.can_claim_fifty_moves()
    return False


def game_result(
    board: chess.Board,
    has_moves: bool,
    count: int,
    repeated: tuple[int, ...],
    legal_moves: Callable[[], list[chess.Move]],
) -> int | None:
    """None while the game goes on, else white's result: +1, -1 (checkmate) or 0 (any draw).

    ``legal_moves`` is called only when a repetition may be claimable.
    """
    if not has_moves:
        if board.is_check():
            return -1 if board.turn == chess.WHITE else 1
        return 0
    if board.is_insufficient_material():
        return 0
    if can_claim_fifty(board, True) or can_claim_threefold(board, legal_moves, count, repeated):
        return 0
    return None
