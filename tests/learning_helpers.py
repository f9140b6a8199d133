"""Tiny, fast configurations shared by the learning tests."""

from __future__ import annotations

from az_pz.config import RunConfig, preset


def tiny_config(game: str = "tictactoe_v3", **overrides) -> RunConfig:
    """A run that trains in about a second per iteration on one CPU core."""
    base = dict(
        device="cpu",
        network__kind="mlp", network__num_blocks=1, network__mlp_hidden=32, network__value_hidden=16,
        search__num_simulations=8, search__leaves_per_tree=4,
        selfplay__games_per_iteration=8, selfplay__concurrent_games=8,
        selfplay__precision="auto",  # float32 on a CPU: no start-up timing, the same numbers on every machine
        train__iterations=2, train__time_limit_s=None, train__batch_size=32, train__sample_reuse=1.0,
        train__min_replay_size=32, train__replay_capacity=4096,
        eval__every=0, eval__games_vs_random=2, eval__games_vs_rollout=2, eval__rollout_simulations=4,
    )
    base.update(overrides)
    return preset(game, **base)


class ToyTask:
    """A pure three-player, two-phase task with differing observation shapes and intermediate rewards.

    State: (move number, tuple of actions). Phase 0 (even moves): obs ``[1, 2, 2]``, 3 actions;
    phase 1 (odd moves): obs ``[2, 3, 3]``, 5 actions. Each move pays the mover ``0.1 * action / 4``;
    after 6 moves the seat with the largest action sum gets +1 (ties: nobody).
    """

    def __init__(self) -> None:
        from az_pz.task import PhaseSpec, TaskSpec

        self.spec = TaskSpec("toy_v0", 3, (PhaseSpec((1, 2, 2), 3, "small"), PhaseSpec((2, 3, 3), 5, "large")))

    def initial_state(self, seed=None):
        return (0, ())

    def to_play(self, state):
        return state[0] % 3

    def phase(self, state):
        return state[0] % 2

    def legal_mask(self, state):
        import numpy as np

        mask = np.ones(self.spec.phases[self.phase(state)].num_actions, bool)
        mask[0] = state[0] % 4 != 1  # some positions forbid action 0
        return mask

    def observe(self, state):
        import numpy as np

        shape = self.spec.phases[self.phase(state)].observation_shape
        obs = np.zeros(shape, np.float32)
        obs.reshape(-1)[: len(state[1])] = np.asarray(state[1], np.float32) / 4
        return obs

    def step(self, state, action):
        import numpy as np

        if not self.legal_mask(state)[action]:
            raise ValueError("illegal")
        moves, actions = state
        rewards = np.zeros(3, np.float32)
        rewards[moves % 3] += 0.1 * action / 4
        new = (moves + 1, actions + (int(action),))
        if new[0] == 6:
            sums = np.zeros(3)
            for i, a in enumerate(new[1]):
                sums[i % 3] += a
            if (sums == sums.max()).sum() == 1:
                rewards[int(sums.argmax())] += 1.0
        return new, rewards

    def is_terminal(self, state):
        return state[0] >= 6


def play_in_workers(config: RunConfig, run_dir, games: int, seed: int):
    """``games`` self-play games in ``config.selfplay.workers`` worker processes, with a network seeded 0.

    Returns ``(task, network, positions, stats)``; the network is the one the workers received.
    """
    import numpy as np
    import torch

    from az_pz.games import make_task
    from az_pz.network import AlphaZeroNetwork
    from az_pz.selfplay.processes import ProcessSelfPlay

    task = make_task(config.game)
    torch.manual_seed(0)
    network = AlphaZeroNetwork(task.spec, config.network)
    pool = ProcessSelfPlay(config, task.spec, network, run_dir)
    try:
        positions, stats = pool.play(games, np.random.default_rng(seed))
    finally:
        pool.close()
    return task, network, positions, stats
