"""``az-pz eval``: one agent against opponents; win rate (draws excluded), score (wins + half the draws), W/D/L.

    az-pz eval connect_four_v3 alphazero:runs/c4 --opponent random --opponent mcts:200 --games 100
    az-pz eval connect_four_v3 runs/c4 --yardstick      # moves scored against perfect play (docs/yardstick.md)
    az-pz eval connect_four_v3 alphazero:runs/c4 --opponent mcts --movetime 50ms   # equal thinking time a move
"""

from __future__ import annotations

import argparse

from az_pz.cli._common import (UsageError, add_evaluator_argument, add_movetime_argument, add_threads_argument,
                               check_seat, game_agent_parser, game_players, int_at_least, make_agent,
                               parse_env_kwargs, search_effort, set_threads, simulations_per_move)


def build_parser() -> argparse.ArgumentParser:
    parser = game_agent_parser("az-pz eval", __doc__, "the agent evaluated")
    parser.add_argument("--opponent", action="append", help="opponent spec (repeatable; default random)")
    parser.add_argument("--games", type=int_at_least(1), default=100, help="games per opponent (default 100)")
    parser.add_argument("--seed", type=int_at_least(0), default=0,
                        help="game i resets the env with seed + i (default 0)")
    parser.add_argument("--seat", default="alternate", help="'alternate' (default), 0 or 1")
    parser.add_argument("--max-moves", type=int_at_least(1),
                        help="stop a game after this many moves and score it a draw")
    parser.add_argument("--opening-moves", type=int_at_least(0), default=0,
                        help="random moves that start each pair of games")
    parser.add_argument("--json", help="also write the results to this JSON file")
    parser.add_argument("--record", metavar="DIR",
                        help="keep every game in DIR: games.jsonl, plus games.pgn (chess) or sgf/ (go)")
    add_evaluator_argument(parser)
    add_movetime_argument(parser)
    add_threads_argument(parser)
    from az_pz.cli import yardstick

    yardstick.add_arguments(parser)
    return parser


def main(argv: list[str]) -> int:
    from az_pz.matches import evaluate

    args = build_parser().parse_args(argv)
    set_threads(args.threads)
    if args.yardstick and args.movetime is not None:
        raise UsageError("--movetime times the moves of games; --yardstick searches its positions in batches "
                         "(drop one of the two)")
    if args.yardstick:  # moves scored against perfect play instead of games (az_pz.cli.yardstick)
        from az_pz.cli import yardstick

        return yardstick.run(args)
    env_kwargs = parse_env_kwargs(args.env)  # every value checked before anything is played or written
    check_seat(args.seat, game_players(args.game, env_kwargs), ("alternate",))
    seat = args.seat if args.seat == "alternate" else int(args.seat)
    agent = make_agent(args.agent, args.evaluator, args.movetime)
    opponents = {spec: make_agent(spec, args.evaluator, args.movetime) for spec in args.opponent or ["random"]}
    recorder = None
    if args.record:
        from az_pz.records import GameRecorder

        recorder = GameRecorder(args.record, event="az-pz eval")
    results = {}
    for opponent, opponent_agent in opponents.items():
        result = evaluate(agent, opponent_agent, args.game, n_games=args.games, seed=args.seed,
                          seat=seat, max_moves=args.max_moves, opening_moves=args.opening_moves, recorder=recorder,
                          names=(args.agent, opponent), **env_kwargs)
        results[opponent] = result.to_dict()
        print(f"{args.agent} vs {opponent}: win rate {result.win_rate:.3f} (draws excluded), "
              f"score {result.mean_score:.3f} (wins + half the draws) "
              f"(W/D/L {result.wins}/{result.draws}/{result.losses} of {result.n_games})")
        effort = search_effort([(args.agent, agent), (f"{opponent} (opponent)", opponent_agent)])
        if effort:  # what the thinking time bought (the agent's mean over its games so far)
            print(f"  {effort}")
            results[opponent]["simulations_per_move"] = {
                "agent": simulations_per_move(agent), "opponent": simulations_per_move(opponent_agent)}
    if recorder is not None:
        print(f"kept {recorder.count} games in {args.record} (az-pz replay {recorder.jsonl_path})")
    if args.json:
        from az_pz.atomic_files import atomic_write_json

        atomic_write_json(args.json, {"game": args.game, "agent": args.agent, "seed": args.seed, "results": results})
    return 0
