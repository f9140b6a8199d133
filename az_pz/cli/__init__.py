"""The ``az-pz`` command: ``az-pz <command> [options]``.

Each command lives in its own module ``az_pz.cli.<command>`` with a
``main(argv) -> int`` function, so that a command imports only what it uses
(``az-pz info`` does not load torch) and holds no logic of its own beyond
parsing arguments.
"""

from __future__ import annotations

import importlib
import os
import sys

COMMANDS = {
    "info": "list the supported games and their specs",
    "train": "train an agent by self-play (az-pz train GAME, or --resume RUN_DIR)",
    "eval": "evaluate a trained agent against opponents",
    "arena": "round robin between agents, with Elo ratings",
    "play": "play against an agent in the terminal",
    "bench": "measure environment, network, search and self-play throughput",
    "uci": "a trained chess agent as a UCI engine (az-pz uci RUN_OR_ZIP)",
    "gtp": "a trained go agent as a GTP engine (az-pz gtp RUN_OR_ZIP)",
    "replay": "show recorded games (.jsonl, .pgn, .sgf) move by move",
    "export": "export a trained network to ONNX (with a JSON sidecar)",
    "pretrain": "learn from recorded games (PGN, SGF, JSON lines) before self-play",
    "serve": "play against an agent in the browser (az-pz serve RUN_OR_ZIP [--port 8000])",
}


def _usage() -> str:
    lines = ["usage: az-pz <command> [options]", "", "commands:"]
    lines += [f"  {name:<8} {text}" for name, text in COMMANDS.items()]
    lines += ["", "Run 'az-pz <command> --help' for a command's options."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(_usage())
        return 0
    command, rest = argv[0], argv[1:]
    if command not in COMMANDS:
        print(f"az-pz: unknown command {command!r}\n\n{_usage()}", file=sys.stderr)
        return 2
    try:
        module = importlib.import_module(f"az_pz.cli.{command}")
    except ModuleNotFoundError as error:
        if error.name == f"az_pz.cli.{command}":
            print(f"az-pz: the {command!r} command is not available in this version", file=sys.stderr)
            return 2
        raise
    try:
        return int(module.main(rest) or 0)
    except KeyboardInterrupt:  # Ctrl-C: a quiet end (commands that keep work, like train, say how to go on)
        print(file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into head & co.: not an error; silence the flush at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (ValueError, TypeError, LookupError, OSError, ImportError) as error:
        # wrong game names, checkpoints of another game, damaged files, refused envs, missing engines:
        # the message names the problem; the traceback is noise for the person at the terminal
        if os.environ.get("AZ_PZ_DEBUG"):
            raise
        from az_pz.cli._common import UsageError

        if isinstance(error, UsageError):  # a bad option value: usage, status 2
            print(f"az-pz {command}: error: {error}", file=sys.stderr)
            return 2
        text = " ".join(str(error).split())  # one line, whatever the message holds
        print(f"az-pz {command}: {type(error).__name__}: {text} (AZ_PZ_DEBUG=1 shows the traceback)",
              file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
