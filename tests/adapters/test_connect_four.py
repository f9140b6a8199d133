"""The fast connect four task against the real PettingZoo ``connect_four_v3``, step by step."""

from __future__ import annotations

import numpy as np
import pytest
from _roundtrip import assert_env_round_trip, assert_same
from pettingzoo.classic import connect_four_v3

import az_pz
from az_pz.adapters.connect_four import (
    DRAW,
    ONGOING,
    WON_0,
    WON_1,
    ConnectFourState,
    ConnectFourTask,
    bits_to_board,
    board_to_bits,
    connects_four,
)

POLICIES = ("uniform", "weighted", "center", "edges", "first_legal")
DRAW_GAME = [int(c) for c in "555054466351352123041430222100021613443666"]
"""A random game that fills the board without four in a row."""


@pytest.fixture(scope="module")
def task() -> ConnectFourTask:
    return az_pz.make_task("connect_four_v3")


def choose(policy: str, mask: np.ndarray, rng: np.random.Generator, weights: np.ndarray) -> int:
    """Uniform, or biased so that long games, full columns, edge lines and draws show up."""
    legal = np.flatnonzero(mask)
    if policy == "first_legal":
        return int(legal[0]) if rng.random() < 0.7 else int(rng.choice(legal))
    if policy == "center":
        weights = np.array([1, 2, 4, 8, 4, 2, 1], dtype=float)
    elif policy == "edges":
        weights = np.array([8, 4, 1, 0.5, 1, 4, 8], dtype=float)
    elif policy == "uniform":
        return int(rng.choice(legal))
    p = weights[legal] / weights[legal].sum()
    return int(rng.choice(legal, p=p))


def play_differential(task: ConnectFourTask, env, actions_or_policy, rng: np.random.Generator) -> int:
    """One game in both; compares everything after every step. Returns the outcome."""
    env.reset()
    state = task.initial_state()
    returns = np.zeros(2, dtype=np.float32)
    weights = rng.dirichlet(np.full(7, 0.3))
    scripted = None if isinstance(actions_or_policy, str) else iter(actions_or_policy)
    assert_same(task, state, env)
    while not task.is_terminal(state):
        mask = task.legal_mask(state)
        action = next(scripted) if scripted else choose(actions_or_policy, mask, rng, weights)
        env.step(action)
        state, rewards = task.step(state, action)
        returns += rewards
        assert rewards.dtype == np.float32 and rewards.shape == (2,)
        np.testing.assert_array_equal(rewards, [env.rewards[a] for a in env.possible_agents])
        np.testing.assert_array_equal(returns, [env._cumulative_rewards[a] for a in env.possible_agents])
        assert_same(task, state, env)
        assert task.state_from_env(env) == state
    return state.outcome


def run_games(task: ConnectFourTask, num_games: int, seed: int) -> dict[int, int]:
    rng = np.random.default_rng(seed)
    env = task.make_env()
    outcomes = {WON_0: 0, WON_1: 0, DRAW: 0}
    for game in range(num_games):
        outcomes[play_differential(task, env, POLICIES[game % len(POLICIES)], rng)] += 1
    return outcomes


def test_make_task_returns_fast_task():
    for name in ("connect_four_v3", "classic/connect_four-v3"):
        task = az_pz.make_task(name)
        assert isinstance(task, ConnectFourTask)
    assert task.spec.name == "connect_four_v3" and task.spec.num_players == 2
    assert task.spec.phases[0].observation_shape == (2, 6, 7) and task.spec.phases[0].num_actions == 7


def test_differential_sample(task):
    outcomes = run_games(task, 300, seed=0)
    assert outcomes[WON_0] and outcomes[WON_1], outcomes


def test_differential_draw(task, rng):
    assert play_differential(task, task.make_env(), DRAW_GAME, rng) == DRAW


@pytest.mark.slow
def test_differential_10000_games(task):
    outcomes = run_games(task, 10_000, seed=1)
    print(f"connect_four_v3: 10000 games, 0 mismatches, outcomes (win_0, win_1, draw) {list(outcomes.values())}")
    assert sum(outcomes.values()) == 10_000 and outcomes[WON_0] and outcomes[WON_1]


def test_step_is_pure_and_rejects_illegal_moves(task):
    state = task.initial_state()
    for _ in range(6):
        state, _ = task.step(state, 3)
    child, rewards = task.step(state, 2)
    assert state.bits_0 | state.bits_1 != child.bits_0 | child.bits_1
    rewards[:] = 9.0  # returned arrays are the caller's own
    assert task.step(state, 2)[1].tolist() == [0.0, 0.0]
    for bad in (3, -1, 7):
        with pytest.raises(ValueError):
            task.step(state, bad)
    final = task.initial_state()
    for action in DRAW_GAME:
        final, _ = task.step(final, action)
    with pytest.raises(ValueError):
        task.step(final, 0)


def test_win_detection_matches_a_plain_scan(rng):
    """connects_four on random bitboards equals a cell-by-cell scan of the 69 lines."""
    directions = ((0, 1), (1, 0), (1, 1), (1, -1))
    for _ in range(3000):
        board = (rng.random((6, 7)) < rng.uniform(0.2, 0.7)).astype(int)
        expected = any(
            all(0 <= r + k * dr < 6 and 0 <= c + k * dc < 7 and board[r + k * dr, c + k * dc] for k in range(4))
            for r in range(6)
            for c in range(7)
            for dr, dc in directions
        )
        bits, _ = board_to_bits(board.reshape(-1).tolist())
        assert connects_four(bits) == expected


@pytest.mark.parametrize("make_env", ["registry", "legacy", "raw"])
def test_env_round_trip_mid_game(task, make_env, rng):
    """state -> env -> state is exact, and the written env plays on like the original."""
    factories = {"registry": task.make_env, "legacy": connect_four_v3.env, "raw": connect_four_v3.raw_env}
    assert_env_round_trip(
        task, factories[make_env], lambda env: list(env.board), rng, games=20, max_prefix=42
    )


def test_terminal_state_to_env(task):
    state = task.initial_state()
    for action in (0, 1, 0, 1, 0, 1, 0):  # player_0 stacks four in column 0
        state, rewards = task.step(state, action)
    assert state.outcome == WON_0
    np.testing.assert_array_equal(rewards, [1.0, -1.0])
    env = task.env_from_state(state)
    assert env.agent_selection == "player_1"
    assert env.last()[1:4] == (-1, True, False)
    assert task.state_from_env(env) == state


def test_state_from_env_refuses_illegal_move_endings(task):
    env = task.make_env()
    env.reset()
    for _ in range(7):
        env.step(2)  # the seventh piece in column 2 is illegal: TerminateIllegalWrapper ends the game
    with pytest.raises(ValueError, match="illegal"):
        task.state_from_env(env)


def test_board_codec_and_render(task, rng):
    board = rng.integers(0, 3, size=42).tolist()
    assert bits_to_board(*board_to_bits(board)) == board
    state = task.step(task.step(task.initial_state(), 3)[0], 3)[0]
    assert state.outcome == ONGOING
    assert task.render(state).splitlines()[-3:] == [". . . O . . .", ". . . X . . .", "0 1 2 3 4 5 6"]


def test_symmetries_match_mirrored_games(task, rng):
    """mirror(observe(s)) == observe(mirror(s)), with the policy mirrored the same way."""
    _, (_, mirrored_index) = task.symmetries(np.zeros((2, 6, 7), np.float32), np.arange(7.0), 0)
    perm = np.argsort(mirrored_index.astype(int))  # perm[a] = the mirrored action of a
    np.testing.assert_array_equal(perm, 6 - np.arange(7))
    for _ in range(50):
        actions, state = [], task.initial_state()
        for _ in range(int(rng.integers(0, 30))):
            if task.is_terminal(state):
                break
            actions.append(int(rng.choice(np.flatnonzero(task.legal_mask(state)))))
            state, _ = task.step(state, actions[-1])
        policy = rng.random(7).astype(np.float32)
        (identity_obs, identity_policy), (observation, sym_policy) = task.symmetries(task.observe(state), policy, 0)
        np.testing.assert_array_equal(identity_obs, task.observe(state))
        np.testing.assert_array_equal(identity_policy, policy)
        image = task.initial_state()
        for action in actions:
            image, _ = task.step(image, int(perm[action]))
        assert image.outcome == state.outcome
        np.testing.assert_array_equal(observation, task.observe(image))
        np.testing.assert_array_equal(task.legal_mask(image)[perm], task.legal_mask(state))
        np.testing.assert_array_equal(sym_policy[perm], policy)


def test_check_task_conformance(task):
    from az_pz.testing import check_task

    result = check_task(task, num_games=20, seed=3)
    assert result.games == 20


def test_state_from_env_names_another_game_or_a_parallel_env(task):
    import pettingzoo

    env = pettingzoo.make("aec", "classic/tictactoe-v3")
    env.reset(seed=0)
    with pytest.raises(ValueError, match="plays 'classic/connect_four-v3' but the env is 'tictactoe_v3'"):
        task.state_from_env(env)
    from pettingzoo.classic import rps_v2

    parallel = rps_v2.parallel_env()
    parallel.reset(seed=0)
    with pytest.raises(TypeError, match="parallel envs"):
        task.state_from_env(parallel)
