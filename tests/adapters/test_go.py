"""The fast go task against the real PettingZoo go_v5 env, step by step.

PettingZoo's go keeps the board size in module globals that each new env
overwrites, so every game here makes its env right before playing it and
finishes it before another env is made.
"""

from __future__ import annotations

import os
from collections import Counter

import numpy as np
import pytest

from az_pz.adapters.go import GoTask
from az_pz.games import make_task

AGENTS = ("black_0", "white_0")


def _check_same(env, task: GoTask, state, where: str) -> None:
    """Everything an agent can see from the env equals the fast task's view."""
    agent = env.agent_selection
    assert agent == AGENTS[task.to_play(state)], where
    observation = env.observe(agent)
    expected = observation["observation"].transpose(2, 0, 1).astype(np.float32)
    assert np.array_equal(task.observe(state), expected), where
    assert np.array_equal(task.legal_mask(state), observation["action_mask"].astype(bool)), where
    terminal = task.is_terminal(state)
    assert [env.terminations[a] for a in AGENTS] == [terminal, terminal], where
    assert [env.truncations[a] for a in AGENTS] == [False, False], where
    returns = task.returns(state)
    assert [env.rewards[a] for a in AGENTS] == returns.tolist(), where
    assert [env._cumulative_rewards[a] for a in AGENTS] == returns.tolist(), where


def _choose(task: GoTask, state, rng: np.random.Generator, bias: dict | None) -> int:
    """A uniform random legal action, or one biased towards local fights (captures, ko) and passes."""
    legal = np.flatnonzero(task.legal_mask(state))
    if bias is None or len(legal) == 1:
        return int(rng.choice(legal))
    if rng.random() < bias["pass"]:
        return task.pass_action
    weights = np.ones(len(legal))
    if state.moves is not None and state.moves[0] != task.pass_action:
        n = task.board_size
        row, col = divmod(state.moves[0], n)
        rows, cols = np.divmod(np.minimum(legal, n * n - 1), n)
        near = (np.abs(rows - row) + np.abs(cols - col) <= 2) & (legal < n * n)
        weights[near] = bias["near"]
    if state.ko >= 0:  # a ko fight: threaten elsewhere or fill
        weights[legal == task.pass_action] = 0.2
    return int(rng.choice(legal, p=weights / weights.sum()))


def play_game(board_size: int, komi: float, rng: np.random.Generator, *, bias: dict | None = None,
              round_trip_at: int | None = None, stats: Counter | None = None) -> int:
    """Play one game in the env and the task together, comparing at every step; returns its length."""
    task = GoTask(board_size=board_size, komi=komi)
    env = task.make_env()
    env.reset()
    state = task.initial_state()
    _check_same(env, task, state, "start")
    steps = 0
    while not task.is_terminal(state):
        if steps == round_trip_at:
            read = task.state_from_env(env)
            assert task.key(read) == task.key(state) and read.actions() == state.actions()
            assert read.captures == state.captures and read.num_moves == state.num_moves
            env = task.env_from_state(read)  # the game goes on in a rebuilt env
            _check_same(env, task, state, f"round trip at {steps}")
        action = _choose(task, state, rng, bias)
        env.step(action)
        previous = state
        state, rewards = task.step(state, action)
        steps += 1
        where = f"N={board_size} komi={komi} step {steps} action {action}\n{task.render(state)}"
        assert rewards.tolist() == [env.rewards[a] for a in AGENTS], where
        _check_same(env, task, state, where)
        if stats is not None:
            stats["captures"] += sum(state.captures) > sum(previous.captures)
            stats["ko"] += state.ko >= 0
            stats["passes"] += action == task.pass_action
    if stats is not None:
        stats["games"] += 1
        stats["black wins" if state.score > 0 else "white wins"] += 1
        stats["ties (white wins)"] += state.score == 0
    assert task.state_from_env(env).score == state.score
    return steps


BIASED = {"pass": 0.02, "near": 8.0}


@pytest.mark.parametrize("board_size", [1, 2, 3, 4, 5, 7, 9])
def test_random_games_small_boards(board_size: int) -> None:
    rng = np.random.default_rng(board_size)
    for komi in (7.5, 0.0, 2.0, -1.5):
        for _ in range(3):
            play_game(board_size, komi, rng)


def test_biased_games_reach_captures_ko_and_ties() -> None:
    rng = np.random.default_rng(11)
    stats: Counter = Counter()
    for game in range(60):
        size = (5, 7, 9)[game % 3]
        komi = (0.0, 1.0, 7.5)[game % 3] if game % 2 else 0.0
        play_game(size, komi, rng, bias=BIASED, round_trip_at=int(rng.integers(1, 30)), stats=stats)
    assert stats["captures"] > 0 and stats["ko"] > 0 and stats["passes"] > 0, stats
    assert stats["ties (white wins)"] > 0, stats


@pytest.mark.parametrize("board_size", [13, 19])
def test_random_games_large_boards(board_size: int) -> None:
    rng = np.random.default_rng(board_size)
    play_game(board_size, 7.5, rng)
    play_game(board_size, 6.5, rng, bias={"pass": 0.01, "near": 8.0}, round_trip_at=100)


def test_round_trip_from_wrapped_and_legacy_envs() -> None:
    import warnings

    from pettingzoo.classic import go_v5

    task = make_task("go_v5", board_size=7, komi=3.5)
    rng = np.random.default_rng(5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        legacy = go_v5.env(board_size=7, komi=3.5)
    for env in (legacy, task.make_env()):
        env.unwrapped._overwrite_go_global_variables(7)  # the other env of this test came after
        env.reset()
        state = task.initial_state()
        for _ in range(40):
            action = _choose(task, state, rng, BIASED)
            env.step(action)
            state, _ = task.step(state, action)
            if task.is_terminal(state):
                break
        before = env.unwrapped.board_history.copy(), env.unwrapped._go.board.copy()
        read = task.state_from_env(env)
        assert np.array_equal(env.unwrapped.board_history, before[0]), "state_from_env changed the env"
        assert np.array_equal(env.unwrapped._go.board, before[1])
        assert task.key(read) == task.key(state)
        assert np.array_equal(task.observe(read), task.observe(state))
        rebuilt = task.env_from_state(read)
        _check_same(rebuilt, task, state, "rebuilt")
        assert rebuilt.unwrapped._go.recent == env.unwrapped._go.recent
        assert np.array_equal(rebuilt.unwrapped._go.board_deltas, env.unwrapped._go.board_deltas)


def test_spec_registry_and_sizes_side_by_side() -> None:
    task9, task19 = make_task("classic/go-v5", board_size=9), make_task("go_v5")
    assert isinstance(task9, GoTask) and isinstance(task19, GoTask)
    assert task19.spec.name == "go_v5" and task19.spec.num_players == 2
    assert dict(task9.spec.env_kwargs) == {"board_size": 9, "komi": 7.5}
    assert task9.spec.phases[0].observation_shape == (17, 9, 9) and task9.spec.max_actions == 82
    assert task19.spec.phases[0].observation_shape == (17, 19, 19) and task19.spec.max_actions == 362
    s9, s19 = task9.initial_state(), task19.initial_state()
    for action in (40, 0, 81):  # interleaved steps on two sizes
        s9, _ = task9.step(s9, action)
        s19, _ = task19.step(s19, action)
    assert task9.observe(s9).shape == (17, 9, 9) and task19.observe(s19).shape == (17, 19, 19)
    assert task9.board(s9)[4, 4] == 1 and task19.board(s19)[2, 2] == 1 and task19.board(s19)[0, 0] == -1


@pytest.mark.parametrize("board_size", [5, 9])
def test_check_task_conformance(board_size: int) -> None:
    from az_pz.testing import check_task

    result = check_task(GoTask(board_size=board_size), num_games=4, seed=1)
    assert result.games == 4 and result.plies > 0


def test_step_is_pure_and_rejects_illegal_moves() -> None:
    task = GoTask(board_size=5)
    state = task.initial_state()
    after, _ = task.step(state, 12)
    assert task.board(state).sum() == 0 and task.board(after)[2, 2] == 1
    assert task.copy_state(after) is after and task.key(after.copy()) == task.key(after)
    with pytest.raises(ValueError):
        task.step(after, 12)  # occupied
    passed, _ = task.step(*task.step(state, 25)[:1], 25)
    assert task.is_terminal(passed)
    with pytest.raises(ValueError):
        task.step(passed, 25)


def test_symmetries_match_playing_the_transformed_game() -> None:
    """Each image of (observation, mask) equals the observation and mask of the transformed move sequence."""
    n = 7
    task = GoTask(board_size=n)
    rng = np.random.default_rng(3)
    state = task.initial_state()
    actions = []
    for _ in range(30):
        action = _choose(task, state, rng, BIASED)
        actions.append(action)
        state, _ = task.step(state, action)
    images = task.symmetries(task.observe(state), task.legal_mask(state).astype(np.float32), 0)
    assert len(images) == 8
    index = np.arange(n * n + 1, dtype=np.float32)
    for (image_obs, image_mask), (_, moved) in zip(images, task.symmetries(task.observe(state), index, 0)):
        where = {int(old): new for new, old in enumerate(moved)}  # old action -> new action
        other = task.initial_state()
        for action in actions:
            other, _ = task.step(other, where[action])
        assert np.array_equal(task.observe(other), image_obs)
        assert np.array_equal(task.legal_mask(other).astype(np.float32), image_mask)
        assert moved[n * n] == n * n


def test_ko_is_forbidden_for_one_move_and_rendered() -> None:
    task = GoTask(board_size=5)
    state = task.initial_state()
    # white's stone at (1,1) is taken by black at (1,2), a point surrounded by white: ko at (1,1).
    for action in (1, 2, 5, 12, 11, 8, 24, 6, 7):
        state, _ = task.step(state, action)
    assert state.ko == 6 and not task.legal_mask(state)[6] and state.captures == (1, 0)
    text = task.render(state)
    assert "A B C D E" in text and " * " in text and "white_0 to play" in text
    elsewhere, _ = task.step(state, 20)
    assert elsewhere.ko == -1
    again, _ = task.step(elsewhere, 23)
    assert task.legal_mask(again)[6]  # the ko is over


@pytest.mark.slow
def test_ten_thousand_games_across_sizes() -> None:
    """At least 10,000 games (default; ``AZ_PZ_GO_GAMES`` overrides) over board sizes, komis and biases."""
    total = int(os.environ.get("AZ_PZ_GO_GAMES", "10000"))
    rng = np.random.default_rng(2024)
    stats: Counter = Counter()
    sizes = Counter()
    plan = [(2, 0.5), (3, 0.0), (4, 1.5), (5, 0.0), (5, 7.5), (6, 3.0), (7, 7.5), (7, 0.0), (8, 5.5),
            (9, 7.5), (9, 0.0), (9, 6.0), (11, 7.5), (13, 7.5), (19, 7.5)]
    weights = np.array([1, 1, 1, 2, 2, 1, 3, 2, 1, 4, 2, 2, 0.8, 1.0, 0.6])
    for game in range(total):
        size, komi = plan[rng.choice(len(plan), p=weights / weights.sum())]
        bias = None if game % 2 else {"pass": float(rng.uniform(0.0, 0.05)), "near": float(rng.uniform(1, 10))}
        play_game(size, komi, rng, bias=bias, round_trip_at=int(rng.integers(0, 60)) if game % 7 == 0 else None,
                  stats=stats)
        sizes[size] += 1
    print(f"go differential: {stats['games']} games, 0 mismatches; sizes {dict(sorted(sizes.items()))}; {dict(stats)}")
    assert stats["games"] == total


@pytest.mark.slow
def test_large_board_games() -> None:
    """Long games on 19x19 (and a 26x26 board, past GTP's letters): ``AZ_PZ_GO19_GAMES`` (default 300)."""
    total = int(os.environ.get("AZ_PZ_GO19_GAMES", "300"))
    rng = np.random.default_rng(19)
    stats: Counter = Counter()
    steps = 0
    for game in range(total):
        size = 26 if game % 25 == 24 else 19
        bias = None if game % 2 else {"pass": float(rng.uniform(0.0, 0.01)), "near": float(rng.uniform(1, 10))}
        steps += play_game(size, (7.5, 0.0, 6.5)[game % 3], rng, bias=bias,
                           round_trip_at=int(rng.integers(0, 400)) if game % 5 == 0 else None, stats=stats)
        if (game + 1) % 25 == 0:
            print(f"  {game + 1} large-board games, {steps} steps, 0 mismatches", flush=True)
    print(f"go large-board differential: {stats['games']} games, {steps} steps, 0 mismatches; {dict(stats)}")
    assert stats["games"] == total


def test_native_task_specs_are_single_phase_two_player_with_sorted_env_kwargs():
    import az_pz
    from az_pz.task import PhaseSpec, TaskSpec

    expected = {
        ("tictactoe_v3", ()): TaskSpec("tictactoe_v3", 2, (PhaseSpec((2, 3, 3), 9, "place"),), ()),
        ("connect_four_v3", ()): TaskSpec("connect_four_v3", 2, (PhaseSpec((2, 6, 7), 7, "drop"),), ()),
        ("chess_v6", ()): TaskSpec("chess_v6", 2, (PhaseSpec((111, 8, 8), 4672, "move", 73, ("col", "-row", "plane")),),
                                   ()),
        ("go_v5", (("komi", 6.5), ("board_size", 13))): TaskSpec(
            "go_v5", 2, (PhaseSpec((17, 13, 13), 170, "move"),), (("board_size", 13), ("komi", 6.5))),
    }
    for (name, kwargs), spec in expected.items():
        assert az_pz.make_task(name, **dict(kwargs)).spec == spec


def _play(task: GoTask, moves: list[int]):
    state = task.initial_state()
    for action in moves:
        state, _ = task.step(state, action)
    return state


def test_search_mask_keeps_real_eyes_and_passes_out_of_the_search() -> None:
    task = GoTask(board_size=5)
    passing = 25
    empty = task.initial_state()
    assert not task.search_mask(empty)[passing] and task.legal_mask(empty)[passing]
    assert task.search_mask(empty)[:passing].all()
    # black 1 and 5 make the corner point 0 an eye of black; white answers far away (24, 23).
    eye = _play(task, [1, 24, 5, 23])
    legal, pruned = task.legal_mask(eye), task.search_mask(eye)
    assert legal[0] and not pruned[0]  # filling one's own real eye
    assert (pruned <= legal).all() and pruned[2] and not pruned[passing]
    # a white stone on the corner's only diagonal (6) makes it a false eye: playing it is searched.
    false_eye = _play(task, [1, 6, 5, 23])
    assert task.search_mask(false_eye)[0]
    # right after the opponent's pass, passing (which ends the game with a known score) is searched.
    after_pass = _play(task, [1, 24, 5, passing])
    assert task.search_mask(after_pass)[passing] and not task.search_mask(after_pass)[0]
    assert task.search_mask(_play(task, [1, passing, 5, passing, 12, 24]))[passing] is np.False_


def test_search_mask_passes_when_only_eyes_are_left() -> None:
    task = GoTask(board_size=2)
    # black takes 0 and 3 (white passes): the points 1 and 2 are black's eyes, suicide for white.
    state = _play(task, [0, 4, 3])
    assert task.legal_mask(state).tolist() == [False, False, False, False, True]
    assert task.search_mask(state).tolist() == [False, False, False, False, True]
    black_turn, _ = task.step(state, 4)  # white passes: black's only legal points are its own eyes
    mask = task.search_mask(black_turn)
    assert not mask[:4].any() and mask[4]


def test_search_mask_off_and_search_follows_it() -> None:
    from az_pz.evaluators import UniformEvaluator
    from az_pz.search import MCTS, SearchConfig

    task = GoTask(board_size=5, prune_search=False)
    state = task.initial_state()
    assert np.array_equal(task.search_mask(state), task.legal_mask(state))
    rng = np.random.default_rng(0)
    for prune, expected_pass_visits in ((True, False), (False, True)):
        task = GoTask(board_size=5, prune_search=prune)
        output = MCTS(task, UniformEvaluator(), SearchConfig(num_simulations=200)).search([task.initial_state()], rng)
        assert (output.visit_counts[0, 25] > 0) == expected_pass_visits
        assert output.visit_counts[0, :25].sum() > 0
