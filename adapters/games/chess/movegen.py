"""Legal actions straight from python-chess bitboards, without making ``Move`` objects.

``list(board.generate_legal_moves())`` builds a ``Move`` per pseudo-legal move
and tests each for safety; it is most of the cost of a chess step. When the
side to move is not in check, legality only depends on pins, so this module
masks each piece's targets once (python-chess's ``_is_safe`` rule: a pinned
piece stays on the line through its king) and turns target squares into
PettingZoo action numbers with a table. Positions in check, castling and en
passant are left to python-chess itself, so the result is python-chess's legal
move set exactly (the differential tests compare every mask with PettingZoo).
"""

from __future__ import annotations

import chess
from chess import (
    BB_DIAG_ATTACKS, BB_DIAG_MASKS, BB_FILE_ATTACKS, BB_FILE_MASKS, BB_KING_ATTACKS, BB_KNIGHT_ATTACKS,
    BB_PAWN_ATTACKS, BB_RANK_ATTACKS, BB_RANK_MASKS, BB_RAYS, BB_SQUARES,
)

from az_pz.adapters.games.chess import tables

_BACK_RANKS = chess.BB_RANK_1 | chess.BB_RANK_8
_ENCODE = tables.ENCODE


def _squares(bb: int):
    """Set squares of a bitboard, highest first (python-chess's ``scan_reversed``)."""
    while bb:
        square = bb.bit_length() - 1
        yield square
        bb ^= 1 << square


def legal_actions(board: chess.Board) -> tuple[int, ...]:
    """PettingZoo action numbers of ``board``'s legal moves (unordered, no duplicates)."""
    turn = board.turn
    us = board.occupied_co[turn]
    king_bb = board.kings & us
    if not king_bb:
        return tables.actions_of(list(board.generate_legal_moves()), turn)
    king = king_bb.bit_length() - 1
    if board.attackers_mask(not turn, king):
        return tables.actions_of(list(board.generate_legal_moves()), turn)
    them = board.occupied_co[not turn]
    occupied = board.occupied
    blockers = board._slider_blockers(king)
    flip = 0 if turn else 56
    encode = _ENCODE
    actions: list[int] = []
    append = actions.append
    pawns = board.pawns
    diagonal = board.bishops | board.queens
    straight = board.rooks | board.queens

    # pieces other than pawns and the king
    for square in _squares(us & ~pawns & ~king_bb):
        bb = BB_SQUARES[square]
        if bb & board.knights:
            targets = BB_KNIGHT_ATTACKS[square]
        else:
            targets = 0
            if bb & diagonal:
                targets = BB_DIAG_ATTACKS[square][BB_DIAG_MASKS[square] & occupied]
            if bb & straight:
                targets |= (BB_RANK_ATTACKS[square][BB_RANK_MASKS[square] & occupied]
                            | BB_FILE_ATTACKS[square][BB_FILE_MASKS[square] & occupied])
        targets &= ~us
        if blockers & bb:
            targets &= BB_RAYS[king][square]
        base = (square ^ flip) * 512
        for to in _squares(targets):
            append(encode[base + (to ^ flip) * 8])

    # king steps (not in check, so the king's own square hides no slider ray)
    base = (king ^ flip) * 512
    for to in _squares(BB_KING_ATTACKS[king] & ~us):
        if not board.is_attacked_by(not turn, to):
            append(encode[base + (to ^ flip) * 8])
    if board.castling_rights & (chess.BB_RANK_1 if turn else chess.BB_RANK_8):
        for move in board.generate_castling_moves():
            append(tables.move_to_action(move, turn))

    # pawns: captures, then single and double advances
    our_pawns = pawns & us
    if our_pawns:
        attacks = BB_PAWN_ATTACKS[turn]
        for square in _squares(our_pawns):
            targets = attacks[square] & them
            if targets:
                if blockers & BB_SQUARES[square]:
                    targets &= BB_RAYS[king][square]
                _add_pawn_moves(append, square, targets, flip)
        if turn:
            single = our_pawns << 8 & ~occupied
            double = single << 8 & ~occupied & (chess.BB_RANK_3 | chess.BB_RANK_4)
            step = 8
        else:
            single = our_pawns >> 8 & ~occupied
            double = single >> 8 & ~occupied & (chess.BB_RANK_6 | chess.BB_RANK_5)
            step = -8
        for to in _squares(single):
            square = to - step
            if not blockers & BB_SQUARES[square] or BB_RAYS[king][square] & BB_SQUARES[to]:
                _add_pawn_moves(append, square, BB_SQUARES[to], flip)
        for to in _squares(double):
            square = to - 2 * step
            if not blockers & BB_SQUARES[square] or BB_RAYS[king][square] & BB_SQUARES[to]:
                append(encode[(square ^ flip) * 512 + (to ^ flip) * 8])
        if board.ep_square:
            for move in board.generate_pseudo_legal_ep():
                if board._is_safe(king, blockers, move):
                    append(tables.move_to_action(move, turn))
    return tuple(actions)


def _add_pawn_moves(append, square: int, targets: int, flip: int) -> None:
    """Actions of a pawn's moves to ``targets``; a move to the last rank is 4 promotions."""
    base = (square ^ flip) * 512
    for to in _squares(targets):
        index = base + (to ^ flip) * 8
        append(_ENCODE[index])
        if BB_SQUARES[to] & _BACK_RANKS:
            append(_ENCODE[index + chess.KNIGHT])
            append(_ENCODE[index + chess.BISHOP])
            append(_ENCODE[index + chess.ROOK])
