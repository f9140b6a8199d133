"""``az-pz replay``: show recorded games move by move in the terminal.

    az-pz replay games/games.jsonl --game 3 --delay 0.5
    az-pz replay games/games.pgn
    az-pz replay games/sgf/game-00001.sgf

Reads az_pz JSON-lines records, PGN (chess) or SGF (go); every move is replayed through
the game's own rules (an illegal move stops with the ply named).
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from az_pz.cli._common import command_parser, float_at_least, int_at_least


def build_parser() -> argparse.ArgumentParser:
    parser = command_parser("az-pz replay", __doc__)
    parser.add_argument("file", help="a .jsonl, .pgn or .sgf game file")
    parser.add_argument("--game", type=int_at_least(1), help="show only the N-th game of the file (1-based; default all)")
    parser.add_argument("--delay", type=float_at_least(0), default=0.0, help="seconds to wait after each move (default 0)")
    parser.add_argument("--final-only", action="store_true", help="print the moves and only the final board")
    return parser


def main(argv: list[str]) -> int:
    from az_pz.records import read_records

    args = build_parser().parse_args(argv)
    shown = 0
    for number, record in enumerate(read_records(args.file), start=1):
        if args.game is not None and number != args.game:
            continue
        show_game(record, number, delay=args.delay, boards=not args.final_only)
        shown += 1
    if shown == 0:
        where = f"game {args.game}" if args.game is not None else "a game"
        print(f"az-pz replay: {args.file} holds no {where}", file=sys.stderr)
        return 1
    return 0


def show_game(record: Any, number: int, *, delay: float = 0.0, boards: bool = True, out: Any = None) -> None:
    """Print one game: header (players, seats, metadata), each move with the board after it, the result."""
    from az_pz.agents.human import render_text
    from az_pz.records import final_env, replay

    out = out or sys.stdout

    def write(text: str = "") -> None:
        print(text, file=out, flush=True)

    write(f"=== game {number}: {record.game} {record.env_kwargs or ''}".rstrip())
    for seat, player in zip(record.seats, record.players):
        write(f"  {seat}: {player}")
    details = ", ".join(f"{k} {v}" for k, v in record.metadata.items() if k in ("event", "round", "date", "result"))
    if details:
        write(f"  {details}")
    names = dict(zip(record.seats, record.players))
    env = None
    for step in replay(record, check_rewards=False):
        if boards and step.ply > 0:  # the board after the previous move
            write(render_text(step.env))
            if delay:
                time.sleep(delay)
        env = step.env
        write(f"{step.ply + 1:>4}. {step.seat} ({names[step.seat]}): {step.notation}")
    if env is None:
        env = final_env(record, check_rewards=False)
    write(render_text(env))
    write(f"result: {_result(record)}")
    write()


def _result(record: Any) -> str:
    winner = record.winner()
    rewards = ", ".join(f"{s} {r:+g}" for s, r in record.rewards.items())
    termination = record.metadata.get("termination")
    if termination in ("max_moves", "unfinished"):
        return f"{termination} ({rewards})"
    if winner is None:
        return f"draw ({rewards})"
    return f"{winner} ({record.players[record.seats.index(winner)]}) wins ({rewards})"
