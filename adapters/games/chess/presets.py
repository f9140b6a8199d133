"""Chess presets (CPU and ``:gpu``): overrides of :class:`az_pz.config.RunConfig`'s defaults, as plain data.

``az_pz.config.preset("chess_v6", gpu=...)`` builds (and checks) the config from them.
"""

from __future__ import annotations

from typing import Any


def overrides(gpu: bool) -> dict[str, Any]:
    blocks, channels, sims = (10, 128, 200) if gpu else (4, 64, 32)
    return dict(
        network=dict(kind="resnet", num_blocks=blocks, channels=channels, policy_channels=32,
                     value_hidden=128 if gpu else 64),
        search=dict(num_simulations=sims, dirichlet_alpha=0.3, gumbel=not gpu, leaves_per_tree=8),
        selfplay=dict(games_per_iteration=256 if gpu else 16, concurrent_games=256 if gpu else 16,
                      temperature_moves=30, full_search_prob=0.25, fast_simulations=max(8, sims // 5),
                      # Uncapped self-play games between weak networks mostly end in fifty-move draws
                      # anyway, and cost more. GPU: 512 plies, long enough for games to be decided; a
                      # capped game's value target is the rewards so far (0, a draw).
                      # CPU: an hour's young networks almost never finish a game, so a game cut at
                      # max_moves is adjudicated on material (ChessTask.adjudicate) and its value target
                      # says who is ahead instead of "draw". 160 plies (80 moves each): every game ends at
                      # the cap anyway, so a shorter cap gives 1.6x the games (and adjudicated outcomes)
                      # of 256 plies per hour, and each target is nearer the positions it labels.
                      max_moves=512 if gpu else 160, adjudicate_capped=not gpu,
                      symmetry_augmentation=False, resign_threshold=-0.95 if gpu else None,
                      # Worker processes: the chess task's moves are Python, so one process leaves cores
                      # idle. CPU: two single-threaded workers for two cores. GPU: eight workers share the
                      # device, their searches on eight cores, feeding one learner.
                      backend="processes", workers=8 if gpu else 2, worker_device="auto" if gpu else "cpu"),
        # CPU: an hour's try-out (the time limit ends it); the learning rate decays over that hour. Self-play is
        # the cost on a CPU, so each position is trained on 3 times on average rather than 2.
        train=dict(iterations=500 if gpu else 10_000, time_limit_s=None if gpu else 3600.0,
                   batch_size=1024 if gpu else 128, sample_reuse=2.0 if gpu else 3.0,
                   learning_rate=1e-3, replay_capacity=500_000 if gpu else 20_000, min_replay_size=1024,
                   keep_every=50),  # checkpoints kept for Elo over training (az-pz arena --run)
        # Twice the self-play simulations when evaluated (arena, AlphaZeroAgent.load): mates need finding. CPU:
        # the Gumbel root considers up to 64 actions (every legal move of most positions gets a visit), so a
        # mate in one the young network rates low is still found; evaluation games run to 256 plies.
        eval=dict(every=10 if gpu else 5, num_simulations=2 * sims, games_vs_random=10, games_vs_rollout=0,
                  rollout_simulations=50, final_games=20, final_rollout_simulations=50,
                  max_moves=None if gpu else 256, gumbel_max_considered=None if gpu else 2 * sims),
    )


PRESETS = {
    "chess_v6": lambda: overrides(gpu=False),
    "chess_v6:gpu": lambda: overrides(gpu=True),
}
"""Preset name -> overrides; ``:gpu`` is sized for one CUDA device, the other for a few CPU cores."""
