"""``az-pz pretrain``: learn from recorded games before self-play.

    az-pz pretrain chess_v6 games/*.pgn --run-dir runs/chess-warm
    az-pz pretrain go_v5 kgs/ --env.board-size 9 --run-dir runs/go9-warm --pretrain-epochs 3
    az-pz pretrain connect_four_v3 arena_games.jsonl --run-dir runs/c4 --init-from runs/c4-old
    az-pz train --resume runs/chess-warm          # then self-play continues in the same run

RECORDS are files or folders: ``.jsonl`` (az_pz game records, any game), ``.pgn`` (chess), ``.sgf`` (go).
Every game is replayed through the rules; unreadable or illegal games are skipped and counted. The network
learns the policy from the moves played and the value from the results, for ``--pretrain-epochs`` passes,
and the run's first checkpoint is written. Every ``az-pz train`` option applies (the game's preset gives
the defaults); see docs/warm_start.md.
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    from az_pz.cli import train

    argv = list(argv)
    if not argv or argv[0] in ("-h", "--help"):
        print((__doc__ or "").strip())
        return 0
    game, rest = argv[0], argv[1:]
    records = []
    while rest and not rest[0].startswith("-"):
        records.append(rest.pop(0))
    if game.startswith("-") or not records:
        print("az-pz pretrain: give a GAME and at least one record file or folder, e.g. "
              "az-pz pretrain chess_v6 games.pgn --run-dir runs/warm", file=sys.stderr)
        return 2
    if "--resume" in rest:
        print("az-pz pretrain: begins a new run; continue one with az-pz train --resume RUN", file=sys.stderr)
        return 2
    return train.main([game, "--warm-start", *records, "--pretrain-only", "--no-final-eval", *rest])
