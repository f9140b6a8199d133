"""``az-pz uci``: a trained chess agent as a UCI engine on stdin and stdout.

    az-pz uci runs/chess
    az-pz uci agent.zip --simulations 400 --device cuda

Give it to a chess GUI, cutechess-cli or lichess-bot as the engine command (docs/uci.md). The
engine answers 'uci' at once and loads the network meanwhile ('isready' waits for it); a file
that cannot be loaded is reported with 'info string' and the engine keeps answering.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def build_parser(prog: str = "az-pz uci", game: str = "chess",
                 description: str = "a trained chess agent as a UCI engine on stdin and stdout"
                 ) -> argparse.ArgumentParser:
    """The options ``az-pz uci`` and ``az-pz gtp`` share."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("agent", metavar="RUN_OR_ZIP",
                        help=f"a {game} run directory, a checkpoint directory or an agent .zip (AlphaZeroAgent.save)")
    parser.add_argument("--device", default="auto", help="torch device of the network: auto, cpu, cuda (default auto)")
    parser.add_argument("--simulations", type=_positive, default=None,
                        help="simulations per move when no clock is given (default: the agent's evaluation setting)")
    parser.add_argument("--batch", type=_positive, default=None,
                        help="leaves per network call, and simulations between two looks at the clock")
    parser.add_argument("--threads", type=_positive, default=None, help="torch CPU threads")
    return parser


def check_agent_path(parser: argparse.ArgumentParser, path: str) -> None:
    """A usage error (exit 2) for a path that does not exist at all; a damaged file is the engine's to report."""
    if not Path(path).exists() and not Path(path + ".zip").is_file():
        parser.exit(2, f"{parser.prog}: error: {path!r} does not exist (give a run directory, a checkpoint "
                       f"directory or an agent .zip)\n")


def main(argv: list[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    check_agent_path(parser, args.agent)
    from az_pz.engines._loading import load_agent
    from az_pz.engines.stdio import protocol_writer, serve
    from az_pz.engines.uci import UciEngine

    engine = UciEngine(lambda: load_agent(args.agent, device=args.device), protocol_writer(),
                       name=f"az_pz ({Path(args.agent).name})")
    for name, value in (("Simulations", args.simulations), ("Batch", args.batch), ("Threads", args.threads)):
        if value is not None:
            engine.handle(f"setoption name {name} value {value}")
    try:
        serve(engine.handle)
    finally:
        engine.handle("quit")
    sys.stderr.flush()
    return 0
