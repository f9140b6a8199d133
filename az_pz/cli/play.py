"""``az-pz play``: play against an agent at the terminal.

    az-pz play connect_four_v3 alphazero:runs/c4 --seat random
    az-pz play go_v5 gnugo:5 --env board_size=9
"""

from __future__ import annotations

import argparse

import numpy as np

from az_pz.cli._common import (UsageError, add_evaluator_argument, check_seat, game_agent_parser,
                               int_at_least, make_agent,
                               parse_env_kwargs)


def build_parser() -> argparse.ArgumentParser:
    parser = game_agent_parser("az-pz play", __doc__, "your opponent")
    parser.add_argument("--seat", default="0", help="your seat: 0 (moves first, default), 1 or random")
    parser.add_argument("--games", type=int_at_least(1), default=1, help="games to play (seats swap after each)")
    parser.add_argument("--seed", type=int_at_least(0), default=0, help="seed of the games")
    parser.add_argument("--record", metavar="DIR",
                        help="keep every finished game in DIR: games.jsonl, plus games.pgn (chess) or sgf/ (go)")
    add_evaluator_argument(parser)
    return parser


def main(argv: list[str]) -> int:
    from az_pz.agents.human import HumanAgent, HumanQuit, render_text
    from az_pz.matches import play_game
    from az_pz.envs import make_aec_env

    args = build_parser().parse_args(argv)
    env_kwargs = parse_env_kwargs(args.env)
    env = make_aec_env(args.game, **env_kwargs)
    if len(env.possible_agents) != 2:
        raise UsageError(f"az-pz play seats you against one agent: {args.game} has {len(env.possible_agents)} seats")
    check_seat(args.seat, 2, ("random",))  # every value checked before anything is written
    human, opponent = HumanAgent(), make_agent(args.agent, args.evaluator)
    recorder = None
    if args.record:
        from az_pz.records import GameRecorder

        recorder = GameRecorder(args.record, event="az-pz play")
    seat = int(np.random.default_rng(args.seed).integers(2)) if args.seat == "random" else int(args.seat)
    try:
        for game in range(args.games):
            players = [opponent, opponent]
            players[seat] = human
            print(f"\ngame {game + 1}: you play {env.possible_agents[seat]} against {args.agent}")
            names = ["you" if p is human else args.agent for p in players]
            record = play_game(env, players, seed=args.seed + game, names=names)
            if recorder is not None:
                recorder.add_played(env, args.game, env_kwargs, record, round=str(game + 1))
            print(f"\n{render_text(env)}")
            score = record.score(seat)
            print({1.0: "You won.", 0.5: "Draw.", 0.0: "You lost."}[score])
            seat = 1 - seat
    except HumanQuit:
        print("\nbye")
    except KeyboardInterrupt:  # Ctrl-C at the prompt or while the agent thinks: a quiet end, engines closed below
        print("\nbye")
        return 130
    finally:
        env.close()
        close = getattr(opponent, "close", None)  # an engine's process ends with the game
        if close is not None:
            close()
    return 0
