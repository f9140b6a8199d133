"""Judge games through the engine protocols, with real clients and real opponents.

    python examples/judge_engines.py --chess-run runs/chess --games 4 --clock 60      # 1+0 against Stockfish
    python examples/judge_engines.py --chess-run runs/chess --games 0 --latency 40    # a move's cost outside search
    python examples/judge_engines.py --chess-run runs/chess --games 0 --mirror 1      # itself at 1+0: long games
    python examples/judge_engines.py --go-run runs/go9 --size 9 --games 4 --simulations 64

Chess: ``az-pz uci RUN`` and Stockfish at its weakest setting (Skill Level 0, depth 1) play full games
through python-chess's ``chess.engine`` (what lichess-bot uses), az-pz on a sudden-death clock kept by
this script (wall time per move, measured around each ``play``), colours alternated. A game ends by
the rules (claimable draws claimed) or when az-pz's flag falls. Go: ``az-pz gtp RUN`` against GNU Go
(``--level``, Chinese rules, dead stones captured before passing) through ``az_pz.engines.referee``,
colours alternated; GNU Go's ``final_score`` is compared with PettingZoo's area score of the final
board. Prints one line per game and a summary (docs/uci.md and docs/gtp.md quote them).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time


def _az_pz(*args: str) -> list[str]:
    exe = shutil.which("az-pz")
    return [exe, *args] if exe else [sys.executable, "-c", "import sys; from az_pz.cli import main; sys.exit(main())",
                                     *args]


def chess_games(run: str, games: int, clock_s: float, increment_s: float) -> None:
    import chess
    import chess.engine

    from az_pz.agents.stockfish import find_engine

    stockfish = chess.engine.SimpleEngine.popen_uci(find_engine("stockfish", None, "AZ_PZ_STOCKFISH", "apt"))
    stockfish.configure({"Skill Level": 0})
    engine = chess.engine.SimpleEngine.popen_uci(_az_pz("uci", run), timeout=120)
    engine.ping()
    points, lowest, flags = 0.0, clock_s, 0
    try:
        for game in range(games):
            az_white = game % 2 == 0
            board, clock, spent = chess.Board(), clock_s, []
            outcome = None
            while not board.is_game_over(claim_draw=True):
                if board.turn == az_white:
                    other = clock_s
                    limit = chess.engine.Limit(white_clock=clock if az_white else other,
                                               black_clock=other if az_white else clock,
                                               white_inc=increment_s, black_inc=increment_s)
                    began = time.perf_counter()
                    move = engine.play(board, limit, game=game).move
                    spent.append(time.perf_counter() - began)
                    clock -= spent[-1]
                    if clock <= 0:
                        outcome, flags = ("0-1" if az_white else "1-0"), flags + 1
                        break
                    lowest = min(lowest, clock)
                    clock += increment_s
                else:
                    move = stockfish.play(board, chess.engine.Limit(depth=1)).move
                board.push(move)
            result = outcome or board.result(claim_draw=True)
            score = {"1-0": 1.0, "0-1": 0.0}.get(result, 0.5)
            points += score if az_white else 1 - score
            print(f"chess game {game + 1}: az-pz {'white' if az_white else 'black'}, {result} after "
                  f"{board.ply()} plies ({'flag' if outcome else board.outcome(claim_draw=True).termination.name}), "
                  f"az-pz clock left {clock:.2f} s, longest move {max(spent, default=0):.2f} s", flush=True)
    finally:
        engine.quit()
        stockfish.quit()
    print(f"chess: az-pz scored {points:g}/{games} against Stockfish (Skill Level 0, depth 1) at "
          f"{clock_s:g}+{increment_s:g}; lost on time {flags} times; lowest clock after a move {lowest:.2f} s")


def chess_mirror(run: str, games: int, clock_s: float) -> None:
    """az-pz against itself, both on the clock: long games (a weak agent rarely mates), the time manager's test."""
    import chess
    import chess.engine

    engines = [chess.engine.SimpleEngine.popen_uci(_az_pz("uci", run), timeout=120) for _ in range(2)]
    for engine in engines:
        engine.ping()
    try:
        for game in range(games):
            board, clocks, lowest = chess.Board(), [clock_s, clock_s], clock_s
            flagged = None
            while not board.is_game_over(claim_draw=True):
                side = 0 if board.turn else 1
                began = time.perf_counter()
                move = engines[side].play(board, chess.engine.Limit(white_clock=clocks[0], black_clock=clocks[1]),
                                          game=game).move
                clocks[side] -= time.perf_counter() - began
                if clocks[side] <= 0:
                    flagged = side
                    break
                lowest = min(lowest, clocks[side])
                board.push(move)
            end = "flag" if flagged is not None else board.outcome(claim_draw=True).termination.name
            print(f"mirror game {game + 1}: {board.ply()} plies, ended by {end}; clocks left {clocks[0]:.2f} s and "
                  f"{clocks[1]:.2f} s, lowest after a move {lowest:.2f} s", flush=True)
    finally:
        for engine in engines:
            engine.quit()


def uci_latency(run: str, moves: int) -> None:
    """Round trip of a move with no time to search (python-chess ``play`` with 50 ms on the clock): what a
    move costs outside the search, the figure ``Move Overhead`` must cover."""
    import chess
    import chess.engine

    engine = chess.engine.SimpleEngine.popen_uci(_az_pz("uci", run), timeout=120)
    engine.ping()
    board, times = chess.Board(), []
    try:
        for _ in range(moves):
            if board.is_game_over():
                board = chess.Board()
            began = time.perf_counter()
            move = engine.play(board, chess.engine.Limit(white_clock=0.05, black_clock=0.05)).move
            times.append(time.perf_counter() - began)
            board.push(move)
    finally:
        engine.quit()
    times.sort()
    print(f"uci latency: {moves} moves without search, median {1000 * times[len(times) // 2]:.1f} ms, "
          f"max {1000 * times[-1]:.1f} ms")


def go_games(run: str, games: int, size: int, komi: float, level: int, simulations: int) -> None:
    from az_pz.agents.stockfish import find_engine
    from az_pz.engines.referee import GtpProcess, play_gtp_game

    gnugo = [find_engine("gnugo", None, "AZ_PZ_GNUGO", "apt"), "--mode", "gtp", "--level", str(level),
             "--chinese-rules", "--capture-all-dead"]
    points, agree = 0, 0
    with GtpProcess(_az_pz("gtp", run, "--simulations", str(simulations))) as az, GtpProcess(gnugo) as gnu:
        for game in range(games):
            black, white = (az, gnu) if game % 2 == 0 else (gnu, az)
            result = play_gtp_game(black, white, size=size, komi=komi, scorer=gnu)
            az_color = "B" if black is az else "W"
            points += result.winner == az_color
            agree += result.scorer_winner == result.winner
            score = "" if result.score is None else f", PettingZoo score {result.score:+g}"
            print(f"go game {game + 1}: az-pz {'black' if az_color == 'B' else 'white'}, {result.winner} wins by "
                  f"{result.end} after {len(result.moves)} moves{score}, GNU Go says {result.scorer_result}",
                  flush=True)
    print(f"go {size}x{size}: az-pz won {points}/{games} against GNU Go level {level} ({simulations} simulations a "
          f"move); GNU Go's final_score named PettingZoo's winner in {agree}/{games} games")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chess-run", help="chess run directory or agent .zip")
    parser.add_argument("--go-run", help="go run directory or agent .zip")
    parser.add_argument("--games", type=int, default=4)
    parser.add_argument("--clock", type=float, default=60.0, help="chess: seconds on az-pz's clock (default 60)")
    parser.add_argument("--increment", type=float, default=0.0, help="chess: increment in seconds")
    parser.add_argument("--size", type=int, default=9, help="go: board size (the network's)")
    parser.add_argument("--komi", type=float, default=7.5)
    parser.add_argument("--level", type=int, default=1, help="go: GNU Go's level")
    parser.add_argument("--simulations", type=int, default=64, help="go: az-pz's simulations a move")
    parser.add_argument("--mirror", type=int, default=0, metavar="GAMES",
                        help="chess: also play az-pz against itself, both on --clock")
    parser.add_argument("--latency", type=int, default=0, metavar="MOVES",
                        help="chess: first measure the round trip of MOVES moves without search")
    args = parser.parse_args()
    if args.chess_run and args.latency:
        uci_latency(args.chess_run, args.latency)
    if args.chess_run and args.games:
        chess_games(args.chess_run, args.games, args.clock, args.increment)
    if args.chess_run and args.mirror:
        chess_mirror(args.chess_run, args.mirror, args.clock)
    if args.go_run and args.games:
        go_games(args.go_run, args.games, args.size, args.komi, args.level, args.simulations)
    return 0


if __name__ == "__main__":
    sys.exit(main())
