"""``az-pz serve``: play against an agent in the browser, and replay recorded games.

    az-pz serve runs/c4                          # a trained agent (run dir, checkpoint or .zip), its own game
    az-pz serve mcts:200                         # rollout MCTS: tic-tac-toe, connect four, chess, go 9x9
    az-pz serve mcts:200 --game connect_four_v3  # one game only
    az-pz serve random --records games/          # ... and the recorded games under games/ at /viewer

Then open the printed address. The server listens on 127.0.0.1 unless --host says otherwise: the page lets
anyone who reaches it spend this machine's CPU on searches.
"""

from __future__ import annotations

import argparse
import ipaddress
import socket
import sys

from az_pz.cli._common import add_env_argument, command_parser, parse_env_kwargs


def build_parser() -> argparse.ArgumentParser:
    parser = command_parser("az-pz serve", __doc__, agents=True)
    parser.add_argument("agent", metavar="RUN_OR_ZIP",
                        help="a run directory, checkpoint or agent .zip, or an agent spec (mcts:200, random, ...)")
    parser.add_argument("--game", help="the game to offer (default: the agent's own, or all four classic games)")
    add_env_argument(parser)
    parser.add_argument("--port", type=int, default=8000, help="TCP port (default 8000; 0 picks a free one)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1: this machine only)")
    parser.add_argument("--records", metavar="DIR",
                        help="a folder of recorded games (.jsonl, else .pgn/.sgf) or one such file, for /viewer")
    parser.add_argument("--max-simulations", type=int, default=5000,
                        help="the most simulations the page may ask for per move (default 5000)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the agent and of new games")
    return parser


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    if not 0 <= args.port <= 65535:
        build_parser().error(f"--port must be 0..65535, got {args.port}")
    if args.max_simulations < 1:
        build_parser().error(f"--max-simulations must be at least 1, got {args.max_simulations}")
    try:
        import uvicorn

        from az_pz.web import ServeConfig, create_app
    except ModuleNotFoundError as error:
        raise ImportError(f"az-pz serve needs the web extra ({error.name} is missing): "
                          f"pip install 'az_pz[web]'") from None
    config = ServeConfig(agent=args.agent, game=args.game, env_kwargs=parse_env_kwargs(args.env),
                         records=args.records, max_simulations=args.max_simulations, seed=args.seed)
    app = create_app(config)
    sock = _listen(args.host, args.port)
    port = sock.getsockname()[1]
    shown = f"[{args.host}]" if ":" in args.host else args.host
    print(f"az-pz serve: {app.state.player.spec} at http://{shown}:{port}/"
          + (f"  (recorded games at http://{shown}:{port}/viewer)" if args.records else ""), flush=True)
    if not ipaddress.ip_address(sock.getsockname()[0]).is_loopback:
        print(f"az-pz serve: warning: listening on {args.host}, not on this machine only: whoever reaches it can "
              f"play and spend this machine's CPU on searches (no authentication)", file=sys.stderr, flush=True)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    server.run(sockets=[sock])
    return 0


def _listen(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (bound here, so that the address printed is the one served,
    even with ``--port 0``)."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as error:
        sock.close()
        raise OSError(f"cannot listen on {host}:{port} ({error.strerror}): pick another --port") from None
    sock.listen(128)
    return sock
