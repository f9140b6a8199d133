"""Connect four presets: overrides of :class:`az_pz.config.RunConfig`'s defaults, as plain data.

``az_pz.config.preset("connect_four_v3")`` builds (and checks) the config from them.
"""

from __future__ import annotations

import os
from typing import Any


def cpu() -> dict[str, Any]:
    return dict(
        # 4x48 evaluates 1.5-2x faster than 4x64 on a CPU (docs/bench.md): more games in the hour.
        network=dict(kind="resnet", num_blocks=4, channels=48, value_hidden=64),
        # The solver proves wins and losses met in the tree; the evaluation cache answers a quarter of the
        # network calls of self-play from positions already met (docs/strength.md: both measured).
        search=dict(num_simulations=128, dirichlet_alpha=1.0, leaves_per_tree=8, solver=True, eval_cache=100_000),
        # Two single-threaded worker processes keep both cores of a small machine busy during self-play; their
        # forward passes run in bf16 where the CPU has it natively and a start-up timing finds it faster.
        # Games open with up to 8 random moves (positions beyond the search's own openings; random openings in
        # only half the games cost the yardstick more than the extra standard openings gave), and value targets
        # are discounted per ply (the network learns how far a win is, so play takes the fastest): each
        # measured at equal time in docs/strength.md.
        selfplay=dict(games_per_iteration=128, concurrent_games=64, temperature_moves=8, opening_random_plies=8,
                      discount=0.98, full_search_prob=0.5, fast_simulations=32, backend="processes",
                      workers=2, precision="fastest"),
        # The gradient steps run while the workers wait: on both cores, in bf16 where a start-up timing finds
        # it faster (docs/bench.md). The hour ends the run; the iteration count is only a ceiling above it.
        train=dict(iterations=400, time_limit_s=3300.0, batch_size=256, sample_reuse=3.0,
                   learning_rate=2e-3, replay_capacity=150_000, min_replay_size=1024, keep_every=25,
                   precision="fastest", num_threads=min(2, os.cpu_count() or 1)),
        eval=dict(every=5, games_vs_random=20, games_vs_rollout=10, rollout_simulations=100,
                  final_games=100, final_rollout_simulations=200,
                  yardstick_every=2, yardstick_search_every=20, yardstick_positions=300),
    )


PRESETS = {"connect_four_v3": cpu}
"""Preset name -> overrides."""
