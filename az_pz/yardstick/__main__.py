"""``python -m az_pz.yardstick build OUT.npz [--count 1000] [--seed 0] [--workers 2]``: make a position set.

The set shipped with az_pz is ``build --count 1000 --seed 0`` (any number of workers gives the same set).
"""

from __future__ import annotations

import argparse
import sys
import time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m az_pz.yardstick", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="build a solver-labelled position set")
    build.add_argument("out", help="the .npz file to write")
    build.add_argument("--count", type=int, default=1000, help="positions (default 1000)")
    build.add_argument("--seed", type=int, default=0, help="seed of the games (default 0)")
    build.add_argument("--workers", type=int, default=1, help="processes playing games (default 1)")
    args = parser.parse_args(argv)
    from az_pz.yardstick.positions import build_positions

    start = time.perf_counter()

    def progress(games: int, kept: int) -> None:
        print(f"\r{games} games, {kept}/{args.count} positions, {time.perf_counter() - start:.0f}s",
              end="", file=sys.stderr, flush=True)

    positions = build_positions(args.count, seed=args.seed, workers=args.workers, on_game=progress)
    path = positions.save(args.out)
    print(f"\nwrote {len(positions)} positions to {path} ({positions.meta['stage_counts']} per stage, "
          f"{positions.meta['games']} games, {time.perf_counter() - start:.0f}s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
