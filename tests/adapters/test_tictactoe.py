"""The fast tic-tac-toe task against the real PettingZoo ``tictactoe_v3``, step by step."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from _roundtrip import assert_env_round_trip, assert_same
from pettingzoo.classic import tictactoe_v3

import az_pz
from az_pz.adapters.tictactoe import TicTacToeTask, squares_to_state, state_to_squares

POLICIES = ("uniform", "corners", "first_legal", "last_legal", "weighted")


@pytest.fixture(scope="module")
def task() -> TicTacToeTask:
    return az_pz.make_task("tictactoe_v3")


def choose(policy: str, mask: np.ndarray, rng: np.random.Generator, weights: np.ndarray) -> int:
    """Uniform, or biased towards some squares so that every kind of ending shows up."""
    legal = np.flatnonzero(mask)
    if policy == "first_legal" and rng.random() < 0.7:
        return int(legal[0])
    if policy == "last_legal" and rng.random() < 0.7:
        return int(legal[-1])
    if policy == "corners":
        corners = [a for a in legal if a in (0, 2, 6, 8)]
        return int(rng.choice(corners if corners and rng.random() < 0.8 else legal))
    if policy == "weighted":
        p = weights[legal] / weights[legal].sum()
        return int(rng.choice(legal, p=p))
    return int(rng.choice(legal))


def play_differential(task: TicTacToeTask, env, policy: str, rng: np.random.Generator) -> str:
    """One game in both; compares everything after every step. Returns how it ended."""
    env.reset()
    state = task.initial_state()
    returns = np.zeros(2, dtype=np.float32)
    weights = rng.dirichlet(np.full(9, 0.5))
    assert_same(task, state, env)
    while not task.is_terminal(state):
        action = choose(policy, task.legal_mask(state), rng, weights)
        env.step(action)
        state, rewards = task.step(state, action)
        returns += rewards
        assert rewards.dtype == np.float32 and rewards.shape == (2,)
        np.testing.assert_array_equal(rewards, [env.rewards[a] for a in env.possible_agents])
        np.testing.assert_array_equal(returns, [env._cumulative_rewards[a] for a in env.possible_agents])
        assert_same(task, state, env)
        assert task.state_from_env(env) == state
    return {1.0: "win_0", -1.0: "win_1", 0.0: "draw"}[float(returns[0])]


def run_games(task: TicTacToeTask, num_games: int, seed: int) -> dict[str, int]:
    rng = np.random.default_rng(seed)
    env = task.make_env()
    endings = {"win_0": 0, "win_1": 0, "draw": 0}
    for game in range(num_games):
        endings[play_differential(task, env, POLICIES[game % len(POLICIES)], rng)] += 1
    return endings


def test_make_task_returns_fast_task():
    for name in ("tictactoe_v3", "classic/tictactoe-v3"):
        task = az_pz.make_task(name)
        assert isinstance(task, TicTacToeTask)
    assert task.spec.name == "tictactoe_v3" and task.spec.num_players == 2
    assert task.spec.phases[0].observation_shape == (2, 3, 3) and task.spec.phases[0].num_actions == 9
    with pytest.raises(TypeError):
        TicTacToeTask(board_size=4)


def test_differential_sample(task):
    endings = run_games(task, 400, seed=0)
    assert all(count > 0 for count in endings.values()), endings


@pytest.mark.slow
def test_differential_10000_games(task):
    endings = run_games(task, 10_000, seed=1)
    print(f"tictactoe_v3: 10000 games, 0 mismatches, endings {endings}")
    assert sum(endings.values()) == 10_000 and all(endings.values())


def test_every_reachable_state_matches_replay(task):
    """Exhaustive: every reachable board, reached through the env, matches the task."""
    env = task.make_env()
    seen = {0: []}
    frontier = [0]
    while frontier:
        state = frontier.pop()
        if task.is_terminal(state):
            continue
        for action in np.flatnonzero(task.legal_mask(state)):
            child, _ = task.step(state, int(action))
            if child not in seen:
                seen[child] = seen[state] + [int(action)]
                frontier.append(child)
    assert len(seen) == 5478
    for state, actions in list(seen.items())[::7]:
        env.reset()
        for action in actions:
            env.step(action)
        assert_same(task, state, env)


def test_step_is_pure_and_rejects_illegal_moves(task):
    state, _ = task.step(task.initial_state(), 4)
    child, rewards = task.step(state, 0)
    assert state != child and state_to_squares(state)[0] == 0
    rewards[0] = 5.0  # returned arrays are the caller's own
    assert task.step(state, 0)[1][0] == 0.0
    for bad in (4, -1, 9):
        with pytest.raises((ValueError, IndexError)):
            task.step(state, bad)
    observation = task.observe(state)
    observation[:] = 7.0
    assert task.observe(state).max() == 1.0


@pytest.mark.parametrize("make_env", ["registry", "legacy", "raw"])
def test_env_round_trip_mid_game(task, make_env, rng):
    """state -> env -> state is exact, and the written env plays on like the original."""
    factories = {
        "registry": task.make_env,
        "legacy": tictactoe_v3.env,
        "raw": tictactoe_v3.raw_env,
    }
    assert_env_round_trip(
        task, factories[make_env], lambda env: list(env.board.squares), rng, games=30, max_prefix=9
    )


def test_terminal_state_to_env(task):
    state = task.initial_state()
    for action in (0, 1, 3, 2, 6):  # player_1 takes squares 0, 3, 6: a line
        state, rewards = task.step(state, action)
    assert task.is_terminal(state)
    np.testing.assert_array_equal(rewards, [1.0, -1.0])
    env = task.env_from_state(state)
    assert env.agent_selection == "player_2"
    assert env.last()[1:4] == (-1, True, False)
    assert task.state_from_env(env) == state


def test_state_from_env_refuses_illegal_move_endings(task):
    env = task.make_env()
    env.reset()
    env.step(4)
    env.step(4)  # illegal: TerminateIllegalWrapper ends the game
    with pytest.raises(ValueError, match="illegal"):
        task.state_from_env(env)


def test_squares_codec_and_render(task):
    squares = [1, 0, 2, 0, 1, 0, 0, 0, 2]
    state = squares_to_state(squares)
    assert state_to_squares(state) == squares
    assert task.render(state).splitlines() == ["X . .", ". X .", "O . O"]


def symmetry_permutations(task) -> list[np.ndarray]:
    """For each symmetry, perm[a] = the transformed action of action a."""
    perms = []
    for _, policy in task.symmetries(np.zeros((2, 3, 3), np.float32), np.arange(9, dtype=np.float32), 0):
        perms.append(np.argsort(policy.astype(int)))  # policy[b] = a  ->  perm[a] = b
    return perms


def test_symmetries_are_the_dihedral_group(task):
    perms = symmetry_permutations(task)
    assert len(perms) == 8
    np.testing.assert_array_equal(perms[0], np.arange(9))
    assert len({tuple(p) for p in perms}) == 8
    lines = {frozenset(line) for line in ((0, 1, 2), (3, 4, 5), (6, 7, 8), (0, 3, 6), (1, 4, 7), (2, 5, 8), (0, 4, 8), (2, 4, 6))}
    for perm in perms:  # a symmetry maps winning lines onto winning lines
        assert {frozenset(int(perm[a]) for a in line) for line in lines} == lines


def test_symmetries_match_transformed_positions(task, rng):
    """sym(observe(s)) == observe(sym(s)), with the policy permuted the same way."""
    perms = symmetry_permutations(task)
    for _ in range(50):
        actions, state = [], task.initial_state()
        for _ in range(int(rng.integers(0, 8))):
            if task.is_terminal(state):
                break
            actions.append(int(rng.choice(np.flatnonzero(task.legal_mask(state)))))
            state, _ = task.step(state, actions[-1])
        policy = rng.random(9).astype(np.float32)
        pairs = task.symmetries(task.observe(state), policy, 0)
        for (observation, sym_policy), perm in zip(pairs, perms):
            image = task.initial_state()
            for action in actions:
                image, _ = task.step(image, int(perm[action]))
            np.testing.assert_array_equal(observation, task.observe(image))
            np.testing.assert_array_equal(task.legal_mask(image)[perm], task.legal_mask(state))
            np.testing.assert_array_equal(sym_policy[perm], policy)


def test_env_kwargs_reach_the_env():
    task = az_pz.make_task("tictactoe_v3", screen_height=200)
    assert dict(task.spec.env_kwargs) == {"screen_height": 200}
    assert task.make_env().unwrapped.screen_height == 200


def test_action_numbering_matches_pettingzoo_docs(task):
    """Square i is observation cell (i // 3, i % 3): each action sets exactly that cell."""
    for action, (row, col) in zip(range(9), itertools.product(range(3), range(3))):
        child, _ = task.step(task.initial_state(), action)
        observation = task.observe(child)
        assert observation[1, row, col] == 1.0 and observation.sum() == 1.0


def test_check_task_conformance(task):
    from az_pz.testing import check_task

    result = check_task(task, num_games=20, seed=3)
    assert result.games == 20
