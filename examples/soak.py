"""Memory soak: connect four self-play and training for N minutes, printing resident memory every minute.

    python examples/soak.py --minutes 30            # the check: growth after warm-up under 5%
    python examples/soak.py --minutes 3 --warmup 1  # a quick look

A leak in the loop (search trees kept alive, histories that only grow, tensors held by the logger) shows as
resident memory that keeps climbing once everything has been allocated once. The replay buffer fills as games
arrive, which is growth by design, so the soak uses a buffer small enough to be full before the warm-up ends
(``--replay-capacity``; connect four positions are about 400 bytes) and measures from there. Checkpoints are
written every iteration, as in a real run, into a temporary directory removed at the end.

Linux only (reads ``/proc/self/status``). Prints one line a minute and a summary:
``RSS after warm-up X MiB, at the end Y MiB: growth Z%``.
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
import time


def rss_mib() -> float:
    """Resident set size of this process in MiB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise OSError("no VmRSS in /proc/self/status (Linux only)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30.0, help="length of the soak (default 30)")
    parser.add_argument("--warmup", type=float, default=5.0, help="minutes before the reference RSS (default 5)")
    parser.add_argument("--replay-capacity", type=int, default=20_000, help="replay positions (default 20000)")
    parser.add_argument("--simulations", type=int, default=32, help="MCTS simulations per move (default 32)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    args = parser.parse_args()

    from az_pz.config import preset
    from az_pz.train import Trainer

    config = preset("connect_four_v3", seed=0, num_threads=args.threads)
    config = dataclasses.replace(
        config,
        search=dataclasses.replace(config.search, num_simulations=args.simulations),
        selfplay=dataclasses.replace(config.selfplay, backend="inline", workers=0, games_per_iteration=32,
                                     concurrent_games=32,
                                     fast_simulations=min(config.selfplay.fast_simulations, args.simulations)),
        train=dataclasses.replace(config.train, iterations=1_000_000, time_limit_s=None, keep_every=0,
                                  replay_capacity=args.replay_capacity, min_replay_size=512),
        eval=dataclasses.replace(config.eval, every=0))
    start = time.monotonic()
    next_report, reference = 0.0, None
    with tempfile.TemporaryDirectory(prefix="az_pz_soak_") as run_dir:
        trainer = Trainer(config, run_dir=run_dir, progress=False, tensorboard=True)
        try:
            while (elapsed := (time.monotonic() - start) / 60) < args.minutes:
                trainer.run_iteration(target=config.train.iterations)
                if elapsed >= next_report:
                    rss = rss_mib()
                    if reference is None and elapsed >= args.warmup:
                        reference = rss
                    print(f"minute {elapsed:5.1f}  iteration {trainer.iteration:4d}  replay {len(trainer.replay):6d}  "
                          f"RSS {rss:7.1f} MiB", flush=True)
                    next_report = int(elapsed) + 1.0
        finally:
            trainer.close()
        final = rss_mib()
    if reference is None:
        print(f"RSS at the end {final:.1f} MiB (the soak was shorter than the warm-up)")
        return
    print(f"RSS after warm-up {reference:.1f} MiB, at the end {final:.1f} MiB: growth "
          f"{100 * (final - reference) / reference:+.1f}% over {args.minutes - args.warmup:.0f} minutes, "
          f"{trainer.iteration} iterations")


if __name__ == "__main__":
    main()
