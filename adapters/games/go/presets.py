"""Go presets (9x9, 13x13, 19x19; CPU and ``:gpu``): overrides of :class:`az_pz.config.RunConfig`'s defaults,
as plain data. ``az_pz.config.preset("go_v5", env_kwargs={"board_size": 13}, gpu=...)`` builds (and checks) the
config from them.
"""

from __future__ import annotations

from typing import Any


def overrides(board_size: int, gpu: bool) -> dict[str, Any]:
    blocks, channels = {9: (6, 96), 13: (10, 128), 19: (15, 192)}[board_size]
    if not gpu:
        blocks, channels = min(blocks, 4), min(channels, 64)
    sims = {9: 128, 13: 200, 19: 400}[board_size] if gpu else 32
    return dict(
        env_kwargs={"board_size": board_size, "komi": 7.5},
        network=dict(kind="resnet", num_blocks=blocks, channels=channels, value_hidden=128),
        # AlphaGo Zero: Dirichlet alpha 0.03 on 19x19, scaled inversely to the number of moves.
        search=dict(num_simulations=sims, dirichlet_alpha=0.03 * 361 / (board_size * board_size),
                    gumbel=not gpu, leaves_per_tree=8),
        selfplay=dict(games_per_iteration=256 if gpu else 16, concurrent_games=256 if gpu else 16,
                      temperature_moves=board_size * board_size // 6,
                      # CPU: half the moves recorded (more positions per game in a short run).
                      full_search_prob=0.25 if gpu else 0.5,
                      fast_simulations=max(8, sims // 5),
                      # Games are played out to a filled board (GoTask.search_mask: no passing first).
                      max_moves=3 * board_size * board_size,
                      resign_threshold=-0.9 if gpu else None,
                      # CPU: two single-threaded worker processes keep two cores busy. GPU: eight workers
                      # share the device (their searches on eight cores), feeding one learner.
                      backend="processes", workers=8 if gpu else 2, worker_device="auto" if gpu else "cpu"),
        # CPU: a time-limited try-out (30 minutes on 9x9, an hour on larger boards).
        train=dict(iterations=500 if gpu else 10_000,
                   time_limit_s=None if gpu else (1800.0 if board_size == 9 else 3600.0),
                   batch_size=1024 if gpu else 128, sample_reuse=2.0,
                   learning_rate=1e-3, replay_capacity=500_000 if gpu else 20_000, min_replay_size=1024,
                   keep_every=50 if gpu else 10),  # checkpoints kept for Elo over training
        # CPU 9x9: the trained agent plays with a PUCT root (self-play keeps Gumbel). An agent from records
        # won 40/80 against GNU Go level 1 with it, 30/80 with Gumbel (docs/warm_start.md).
        eval=dict(every=10 if gpu else 5, num_simulations=2 * sims, games_vs_random=10, games_vs_rollout=0,
                  rollout_simulations=50, final_games=20, final_rollout_simulations=50,
                  gumbel=False if board_size == 9 and not gpu else None),
    )


PRESETS = {
    "go_v5": lambda: overrides(9, gpu=False),
    "go_v5:gpu": lambda: overrides(9, gpu=True),
    "go_v5:13": lambda: overrides(13, gpu=False),
    "go_v5:13:gpu": lambda: overrides(13, gpu=True),
    "go_v5:19": lambda: overrides(19, gpu=False),
    "go_v5:19:gpu": lambda: overrides(19, gpu=True),
}
"""Preset name -> overrides; ``:gpu`` variants are sized for one CUDA device, the others for a few CPU cores."""


def preset_key(env_kwargs: dict[str, Any]) -> str:
    """The preset for the board size in ``env_kwargs`` (9 unless given)."""
    size = int(env_kwargs.get("board_size", 9))
    key = "go_v5" if size == 9 else f"go_v5:{size}"
    if key not in PRESETS:
        raise ValueError(f"no go preset for board size {size}; presets exist for 9, 13 and 19")
    return key
