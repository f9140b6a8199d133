"""``az-pz bench``: environment, network, search, self-play and training throughput on this machine."""

from __future__ import annotations

import argparse


def _parser() -> argparse.ArgumentParser:
    from az_pz.cli._common import Parser, float_above, int_at_least

    parser = Parser(
        prog="az-pz bench",
        description="Measure environment steps/s, network evaluations/s, MCTS simulations/s, self-play "
                    "games/hour and training samples/s with the game's reference network.")
    parser.add_argument("--game", default="connect_four_v3", help="game (PettingZoo module name or registry id)")
    parser.add_argument("--device", default="cpu", help="where the network runs: cpu, cuda or cuda:N")
    parser.add_argument("--quick", action="store_true", help="tiny budgets: a first look in seconds")
    parser.add_argument("--threads", type=int_at_least(1), default=None, help="torch intra-op threads (default: torch's)")
    parser.add_argument("--seconds", type=float_above(0), default=None, help="timed seconds per measurement")
    parser.add_argument("--simulations", type=int_at_least(1), default=None, help="simulations per move (default 100)")
    parser.add_argument("--games", type=int_at_least(1), nargs="+", default=None, metavar="N",
                        help="numbers of concurrent games of the search rows (default 1 16 64 256)")
    parser.add_argument("--selfplay-games", type=int_at_least(1), default=None, help="concurrent (and total) self-play games")
    parser.add_argument("--compile", action="store_true", help="torch.compile the inference copy")
    parser.add_argument("--channels-last", action="store_true", help="channels-last inference copy")
    from az_pz.config.schema import PRECISIONS

    parser.add_argument("--precision", choices=PRECISIONS, default="auto",
                        help="number format of the evaluator's forward passes, as selfplay.precision (default auto: "
                             "bf16 on CUDA, float32 on a CPU); compare float32 and bfloat16 runs")
    parser.add_argument("--json", metavar="PATH", default=None, help="also write the results as JSON")
    return parser


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    from az_pz.cli._common import check_device

    check_device(args.device)
    from az_pz.bench import BenchConfig, format_report, run_benchmark
    from az_pz.atomic_files import atomic_write_json

    overrides = {"game": args.game, "device": args.device, "threads": args.threads, "compile": args.compile,
                 "channels_last": args.channels_last, "precision": args.precision}
    for name, value in (("seconds", args.seconds), ("num_simulations", args.simulations),
                        ("concurrent_games", tuple(args.games) if args.games else None),
                        ("selfplay_games", args.selfplay_games)):
        if value is not None:
            overrides[name] = value
    config = BenchConfig.quick(**overrides) if args.quick else BenchConfig(**overrides)
    report = run_benchmark(config, log=lambda text: print(f"... {text}", flush=True))
    print()
    print(format_report(report))
    if args.json:
        atomic_write_json(args.json, report)
        print(f"\nwrote {args.json}")
    return 0
