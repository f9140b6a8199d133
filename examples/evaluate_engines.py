"""Evaluate agents against Stockfish (chess) and GNU Go (go) and rate them on one Elo scale.

Needs the engines (Debian/Ubuntu: ``apt-get install stockfish gnugo``; the binaries
land in /usr/games, which az_pz searches). Each agent plays each engine setting
with seats alternated; the arena fits Elo ratings with 95% intervals, anchored at
the weakest engine setting.

    python examples/evaluate_engines.py                                   # rollout MCTS as the candidate
    python examples/evaluate_engines.py --chess-agent alphazero:runs/chess --go-agent alphazero:runs/go9 --games 20
"""

from __future__ import annotations

import argparse
from pathlib import Path

from az_pz.matches import round_robin


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chess-agent", default="mcts:16", help="agent spec to evaluate at chess")
    parser.add_argument("--stockfish", nargs="+", default=["stockfish:600", "stockfish:1320"],
                        help="engine settings (stockfish:ELO; below the engine's UCI_Elo minimum: "
                             "Skill Level 0, depth 1)")
    parser.add_argument("--go-agent", default="mcts:64", help="agent spec to evaluate at go")
    parser.add_argument("--gnugo", nargs="+", default=["gnugo:0", "gnugo:5"], help="engine settings (gnugo:LEVEL)")
    parser.add_argument("--board-size", type=int, default=9, help="go board size")
    parser.add_argument("--games", type=int, default=4, help="games per pairing")
    parser.add_argument("--chess-max-moves", type=int, default=150, help="longer chess games are scored as draws")
    parser.add_argument("--out", default="runs/engines", help="where the arena files are written")
    args = parser.parse_args()

    print("chess against Stockfish")
    chess = round_robin("chess_v6", [args.chess_agent, *args.stockfish], games_per_pair=args.games,
                        anchor=args.stockfish[0], max_moves=args.chess_max_moves, progress=True)
    print(chess.table())
    chess.write(Path(args.out) / "chess")

    print(f"\ngo {args.board_size}x{args.board_size} against GNU Go")
    go = round_robin("go_v5", [args.go_agent, *args.gnugo], games_per_pair=args.games, anchor=args.gnugo[0],
                     progress=True, board_size=args.board_size)
    print(go.table())
    go.write(Path(args.out) / "go")
    print(f"\nwrote {args.out}/chess and {args.out}/go (results.json, results.csv, ratings.csv, elo.png)")


if __name__ == "__main__":
    main()
