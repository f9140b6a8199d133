"""``az-pz arena``: round robin between agents with Elo ratings, or Elo over a run's training.

    az-pz arena connect_four_v3 random mcts:50 alphazero:runs/c4 --games 20 --out arena/c4
    az-pz arena --run runs/c4 --references random mcts:100 --games 10
    az-pz arena connect_four_v3 mcts alphazero:runs/c4 --movetime 50ms   # equal thinking time a move
"""

from __future__ import annotations

import argparse
import sys
import time

from az_pz.cli._common import (UsageError, add_movetime_argument, add_threads_argument, check_device,
                               command_parser, game_players, int_at_least, make_agent, parse_env_kwargs,
                               search_effort, set_threads)


def build_parser() -> argparse.ArgumentParser:
    parser = command_parser("az-pz arena", __doc__, agents=True, env=True)
    parser.add_argument("game", nargs="?", help="PettingZoo game, e.g. connect_four_v3 or classic/connect_four-v3")
    parser.add_argument("agents", nargs="*", help="two or more agent specs")
    parser.add_argument("--games", type=int_at_least(1), default=20,
                        help="games per pairing, seats alternated (default 20)")
    parser.add_argument("--seed", type=int_at_least(0), default=0, help="base seed of the games (default 0)")
    parser.add_argument("--out", help="directory for results.json, results.csv, ratings.csv, elo.png")
    parser.add_argument("--anchor", help="agent rated 0 (default: ratings average 0; with --run: the first reference)")
    parser.add_argument("--max-moves", type=int_at_least(1),
                        help="stop a game after this many moves and score it a draw")
    parser.add_argument("--opening-moves", type=int_at_least(0), default=0,
                        help="random moves that start each pair of games (seats swapped): "
                             "varied games for deterministic agents")
    parser.add_argument("--run", help="rate the checkpoints of this run directory instead (Elo over training)")
    parser.add_argument("--references", nargs="+", default=["random"], help="with --run: agents every checkpoint meets")
    parser.add_argument("--every", type=int_at_least(1), default=1, help="with --run: rate every k-th checkpoint")
    parser.add_argument("--device", default="cpu", help="with --run: device of the checkpoints' networks")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_movetime_argument(parser)
    add_threads_argument(parser)
    parser.add_argument("--record", metavar="DIR",
                        help="keep every game in DIR: games.jsonl, plus games.pgn (chess) or sgf/ (go); "
                             "with --run the games go to OUT/games unless told otherwise")
    return parser


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    set_threads(args.threads)
    if args.run and args.movetime is not None:
        raise UsageError("--movetime gives agent specs a thinking time; with --run, give the references one "
                         "(e.g. --references mcts:50ms)")
    if args.run:
        check_device(args.device)
        from az_pz.elo_curve import elo_over_training

        result = elo_over_training(args.run, references=args.references, games_per_pair=args.games, every=args.every,
                                   seed=args.seed, device=args.device, out_dir=args.out, progress=not args.no_progress,
                                   max_moves=args.max_moves, opening_moves=args.opening_moves,
                                   record_dir=args.record)
        print(result.table())
        print(f"\nwrote {args.out or args.run + '/elo'}/elo_curve.png (and .json, .csv, results.*)")
        return 0
    if not args.game or len(args.agents) < 2:
        print("az-pz arena: give a GAME and at least two AGENT specs (or --run RUN_DIR)", file=sys.stderr)
        return 2
    from az_pz.matches import round_robin, unique_names
    from az_pz.records import GameRecorder

    env_kwargs = parse_env_kwargs(args.env)  # every value checked before anything is played or written
    game_players(args.game, env_kwargs)
    if args.anchor is not None and args.anchor not in unique_names(args.agents):
        raise UsageError(f"--anchor {args.anchor!r} is not one of the agents {args.agents}")
    agents = dict(zip(unique_names(args.agents), (make_agent(spec, movetime=args.movetime) for spec in args.agents)))
    recorder = GameRecorder(args.record, event="az-pz arena") if args.record else None
    started = time.perf_counter()
    result = round_robin(args.game, agents, games_per_pair=args.games, seed=args.seed, anchor=args.anchor,
                         max_moves=args.max_moves, opening_moves=args.opening_moves, progress=not args.no_progress,
                         recorder=recorder, **env_kwargs)
    print(result.table())
    effort = search_effort(list(agents.items()))
    if effort:  # what the thinking time bought, mean over all of an agent's games
        print(f"\n{effort}")
    if recorder is not None:
        hours = max(time.perf_counter() - started, 1e-9) / 3600
        print(f"\nkept {recorder.count} games in {args.record} ({recorder.count / hours:.0f} games/hour; "
              f"az-pz replay {recorder.jsonl_path})")
    if args.out:
        paths = result.write(args.out)
        print("\nwrote " + ", ".join(str(p) for p in paths.values()))
    return 0
