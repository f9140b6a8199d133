"""``az-pz gtp``: a trained go agent as a GTP engine on stdin and stdout.

    az-pz gtp runs/go9
    gogui-twogtp -black "az-pz gtp runs/go9" -white "gnugo --mode gtp --level 1" -size 9 -games 10 -auto

The engine plays the board size its network was trained on and answers GTP version 2 (docs/gtp.md).
A file that cannot be loaded is reported as '? cannot load the agent: ...' to the commands that
need it; the engine keeps answering.
"""

from __future__ import annotations

import sys
from pathlib import Path

from az_pz.cli.uci import build_parser as _engine_parser
from az_pz.cli.uci import check_agent_path


def build_parser():
    parser = _engine_parser("az-pz gtp", "go", "a trained go agent as a GTP engine on stdin and stdout")
    parser.add_argument("--resign", type=float, default=None, metavar="VALUE",
                        help="resign when the search's value for the engine is below VALUE, e.g. -0.95 "
                             "(default: never resign)")
    return parser


def main(argv: list[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    check_agent_path(parser, args.agent)
    from az_pz.engines._loading import load_agent
    from az_pz.engines.gtp import GtpEngine
    from az_pz.engines.stdio import protocol_writer, serve

    write = protocol_writer()
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)

    def load():
        agent = load_agent(args.agent, device=args.device)
        if args.batch:
            import dataclasses

            agent.search_config = dataclasses.replace(agent.search_config, leaves_per_tree=args.batch)
        return agent

    engine = GtpEngine(load, simulations=args.simulations, resign_threshold=args.resign,
                       name=f"az_pz ({Path(args.agent).name})", background=True)

    def handle(line: str) -> bool:
        answer = engine.handle(line)
        if answer is not None:
            write(answer + "\n")
        return not engine.finished

    serve(handle)
    sys.stderr.flush()
    return 0
