"""Chess move notation: python-chess moves (UCI, SAN) <-> PettingZoo ``chess_v6`` actions, and the text a person
sees and types (``HumanAgent``). Used by ``StockfishAgent``, ``az-pz uci`` and the human player.

PettingZoo encodes moves from the mover's side, so black's moves are mirrored first, and queen promotions are
plain queen moves.
"""

from __future__ import annotations

from typing import Any


def move_to_action(move: Any, black_to_move: bool) -> int:
    """PettingZoo chess action of a python-chess move made by the side to move.

    ``action = (file * 8 + rank) * 73 + plane`` of the from-square, seen from
    the mover's side: black's move is mirrored (``chess.square_mirror``) and a
    queen promotion drops its promotion piece (PettingZoo's convention).
    """
    import chess
    from pettingzoo.classic.chess.chess_utils import get_move_plane, square_to_coord

    promotion = None if move.promotion == chess.QUEEN else move.promotion
    if black_to_move:
        move = chess.Move(chess.square_mirror(move.from_square), chess.square_mirror(move.to_square), promotion)
    else:
        move = chess.Move(move.from_square, move.to_square, promotion)
    file, rank = square_to_coord(move.from_square)
    return (file * 8 + rank) * 73 + get_move_plane(move)


def action_to_move(board: Any, action: int) -> Any:
    """The legal python-chess move of ``board`` whose PettingZoo action is ``action`` (ValueError if none)."""
    black = not board.turn
    for move in board.legal_moves:
        if move_to_action(move, black) == action:
            return move
    raise ValueError(f"action {action} is not a legal move in {board.fen()}")


def move_text(env: Any, action: int) -> str:
    """``action`` in SAN, in the live env's current position (before the move): how records print it."""
    board = env.unwrapped.board
    return board.san(action_to_move(board, action))


def render_text(env: Any) -> str:
    """The position of a live ``chess_v6`` env as text (unicode pieces, side to move)."""
    board = env.unwrapped.board
    return f"{board.unicode(empty_square='.')}\n{'White' if board.turn else 'Black'} to move"


def legal_moves_text(env: Any, mask: Any = None) -> dict[str, int]:
    """Legal moves of a live env in SAN -> PettingZoo action (``mask``, the env's legal mask, is not needed:
    the board knows its legal moves)."""
    board = env.unwrapped.board
    return {board.san(move): move_to_action(move, not board.turn) for move in board.legal_moves}


def parse_move(env: Any, text: str) -> int | None:
    """The action of a legal move typed in UCI (``e2e4``), else None (SAN is matched by the caller)."""
    import chess

    try:
        move = chess.Move.from_uci(text.lower())
    except ValueError:
        return None
    board = env.unwrapped.board
    if move in board.legal_moves:
        return move_to_action(move, not board.turn)
    return None
