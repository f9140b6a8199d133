"""Tic-tac-toe presets: overrides of :class:`az_pz.config.RunConfig`'s defaults, as plain data.

``az_pz.config.preset("tictactoe_v3")`` builds (and checks) the config from them.
"""

from __future__ import annotations

from typing import Any


def cpu() -> dict[str, Any]:
    return dict(
        network=dict(kind="mlp", num_blocks=2, mlp_hidden=128, value_hidden=64),
        search=dict(num_simulations=48, dirichlet_alpha=1.0, leaves_per_tree=8, solver=True),
        selfplay=dict(games_per_iteration=128, concurrent_games=128, temperature_moves=9),
        train=dict(iterations=40, time_limit_s=270.0, batch_size=256, sample_reuse=2.0,
                   learning_rate=3e-3, replay_capacity=60_000, min_replay_size=256),
        eval=dict(every=5, games_vs_random=20, games_vs_rollout=10, rollout_simulations=50,
                  final_games=100, final_rollout_simulations=200),
    )


PRESETS = {"tictactoe_v3": cpu}
"""Preset name -> overrides."""
