"""The generic PettingZoo adapter: the Task interface on real envs, names, phases, seats, refusals."""

from __future__ import annotations

import functools
import warnings

import numpy as np
import pettingzoo
import pytest
from pettingzoo.classic import chess_v6, connect_four_v3, go_v5, rps_v2, tictactoe_v3

import az_pz
from az_pz.adapters import CloneableEnv, EnvSnapshot, PettingZooTask, UnsupportedEnvironmentError
from az_pz.testing import check_task
from tests.games import three_player, two_phase

warnings.filterwarnings("ignore", category=DeprecationWarning)

TASKS = {
    "tictactoe": (lambda: PettingZooTask(tictactoe_v3.env), 20),
    "connect_four": (lambda: PettingZooTask.from_name("connect_four_v3"), 10),
    "chess": (lambda: PettingZooTask.from_name("classic/chess-v6"), 1),
    "go9": (lambda: PettingZooTask.from_name("go_v5", board_size=9), 2),
    "go13": (lambda: PettingZooTask.from_name("go_v5", board_size=13), 1),
    "go19": (lambda: PettingZooTask.from_name("classic/go-v5", board_size=19), 1),
    "two_phase": (lambda: PettingZooTask(two_phase.env), 20),
    "three_player": (lambda: PettingZooTask(three_player.env), 20),
}


@pytest.mark.parametrize("game", list(TASKS))
def test_check_task_passes(game: str) -> None:
    make, num_games = TASKS[game]
    result = check_task(make(), num_games=num_games, seed=3, max_plies=3000)
    assert result.plies > 0


@pytest.mark.parametrize(
    "name, kwargs, players, shape, actions",
    [
        ("tictactoe_v3", {}, 2, (2, 3, 3), 9),
        ("classic/tictactoe-v3", {}, 2, (2, 3, 3), 9),
        ("connect_four_v3", {}, 2, (2, 6, 7), 7),
        ("classic/connect_four-v3", {}, 2, (2, 6, 7), 7),
        ("chess_v6", {}, 2, (111, 8, 8), 4672),
        ("go_v5", {"board_size": 9}, 2, (17, 9, 9), 82),
        ("classic/go-v5", {"board_size": 13}, 2, (17, 13, 13), 170),
        ("go_v5", {}, 2, (17, 19, 19), 362),
    ],
)
def test_specs_by_module_name_and_registry_id(name, kwargs, players, shape, actions) -> None:
    task = PettingZooTask.from_name(name, **kwargs)
    assert task.spec.num_players == players
    assert [(p.observation_shape, p.num_actions) for p in task.spec.phases] == [(shape, actions)]
    assert task.spec.name == az_pz.canonical_name(name)
    assert dict(task.spec.env_kwargs) == kwargs
    state = task.initial_state(seed=0)
    assert task.observe(state).shape == shape and task.observe(state).dtype == np.float32


def test_make_task_falls_back_to_the_adapter() -> None:
    task = az_pz.make_task("classic/connect_four-v3", backend="pettingzoo")
    assert isinstance(task, PettingZooTask)


def test_observation_is_chw_of_the_player_to_move() -> None:
    task = PettingZooTask(connect_four_v3.env)
    state, _ = task.step(task.initial_state(), 3)
    env = task.to_env(state)
    expected = env.observe("player_1")["observation"].transpose(2, 0, 1)
    assert task.to_play(state) == 1
    np.testing.assert_array_equal(task.observe(state), expected.astype(np.float32))
    assert task.observe(state)[1, 5, 3] == 1  # the opponent's piece, bottom row, column 3


def test_step_is_pure_and_rewards_are_per_seat() -> None:
    task = PettingZooTask(tictactoe_v3.env)
    state = task.initial_state()
    before = task.observe(state).copy()
    for action in (0, 3, 1, 4):
        state, rewards = task.step(state, action)
        assert rewards.tolist() == [0.0, 0.0]
    assert np.array_equal(task.observe(task.initial_state()), before)
    final, rewards = task.step(state, 2)  # player_1 completes the column 0-1-2
    assert task.is_terminal(final) and rewards.tolist() == [1.0, -1.0]
    assert not task.is_terminal(state) and task.legal_mask(state)[2]
    with pytest.raises(ValueError, match="terminal"):
        task.step(final, 5)
    with pytest.raises(ValueError, match="illegal action 0"):
        task.step(state, 0)
    with pytest.raises(ValueError, match="illegal action 99"):
        task.step(state, 99)


def test_two_phase_game_phases_are_detected() -> None:
    task = PettingZooTask(two_phase.env)
    assert [(p.observation_shape, p.num_actions) for p in task.spec.phases] == [((4, 3, 3), 9), ((4, 3, 3), 36)]
    state = task.initial_state(seed=0)
    phases = []
    for action in (0, 1, 5, 3, 6, 7):  # six placements, no three in a row
        assert task.phase(state) == 0 and task.legal_mask(state).shape == (9,)
        state, _ = task.step(state, action)
        phases.append(task.phase(state))
    assert phases[-1] == 1 and task.legal_mask(state).shape == (36,)
    assert task.observe(state)[2].all()  # the move-phase plane


def test_phase_fn_overrides_signatures() -> None:
    task = PettingZooTask(two_phase.env, phase_fn=lambda raw: raw.phase[raw.agent_selection])
    assert [p.num_actions for p in task.spec.phases] == [9, 36]
    state = task.initial_state()
    assert task.phase(state) == 0
    with pytest.raises(ValueError, match="numbered from 0"):
        PettingZooTask(two_phase.env, phase_fn=lambda raw: -1)
    with pytest.raises(ValueError, match="never seen"):
        PettingZooTask(tictactoe_v3.env, phase_fn=lambda raw: 1)


def test_unprobed_phase_is_a_clear_error() -> None:
    task = PettingZooTask(two_phase.env, probe_steps=0)
    assert len(task.spec.phases) == 1
    state = task.initial_state()
    for action in (0, 1, 5, 3, 6, 7):
        state, _ = task.step(state, action)
    with pytest.raises(ValueError, match="probe_steps"):
        task.phase(state)


def test_three_player_rewards_are_per_seat() -> None:
    task = PettingZooTask(three_player.env)
    assert task.spec.num_players == 3
    state = task.initial_state()
    # player_1 gets 4-5-6 in the second row first
    for action, seat in zip((0, 4, 8, 1, 5, 9, 12, 6), (0, 1, 2, 0, 1, 2, 0, 1)):
        assert task.to_play(state) == seat
        state, rewards = task.step(state, action)
    assert task.is_terminal(state)
    assert rewards.tolist() == [-1.0, 1.0, -1.0]


def test_state_from_env_copies_and_leaves_env_alone() -> None:
    task = PettingZooTask.from_name("connect_four_v3")
    for env in (connect_four_v3.env(), pettingzoo.make("aec", "classic/connect_four-v3"),
                connect_four_v3.raw_env(), CloneableEnv(connect_four_v3.env())):
        env.reset(seed=0)
        for action in (3, 3, 2):
            env.step(action)
        board = list(env.unwrapped.board)
        state = task.state_from_env(env)
        assert task.to_play(state) == 1
        next_state, _ = task.step(state, 4)
        assert env.unwrapped.board == board and env.agent_selection == "player_1"
        np.testing.assert_array_equal(task.observe(state), env.observe("player_1")["observation"].transpose(2, 0, 1))
        env.step(4)  # the live env still plays on
        np.testing.assert_array_equal(task.observe(next_state),
                                      env.observe("player_0")["observation"].transpose(2, 0, 1))


def test_state_from_env_errors() -> None:
    task = PettingZooTask.from_name("connect_four_v3")
    with pytest.raises(ValueError, match="reset"):
        task.state_from_env(connect_four_v3.env())
    other = tictactoe_v3.env()
    other.reset()
    with pytest.raises(ValueError, match="this task plays"):
        task.state_from_env(other)
    with pytest.raises(TypeError, match="AEC"):
        task.state_from_env("connect_four_v3")


def test_make_env_and_to_env() -> None:
    task = PettingZooTask.from_name("tictactoe_v3")
    env = task.make_env()
    env.reset()
    assert env.agent_selection == "player_1"
    assert task.make_env(render_mode="rgb_array").unwrapped.render_mode == "rgb_array"
    live = task.to_env(task.step(task.initial_state(), 4)[0])
    live.step(0)  # a live copy may be stepped; the state it came from is unaffected
    assert live.unwrapped.board.squares[0] == 2
    bare = PettingZooTask(lambda: tictactoe_v3.env())
    with pytest.raises(ValueError, match="render_mode"):
        bare.make_env(render_mode="human")
    assert task.action_to_env(task.initial_state(), 7) == 7


def test_go_tasks_of_several_sizes_in_one_process() -> None:
    """go's board size lives in module globals; interleaved tasks of three sizes must match plain replays."""
    tasks = {size: PettingZooTask.from_name("go_v5", board_size=size) for size in (9, 19, 13)}
    states = {size: task.initial_state() for size, task in tasks.items()}
    actions = {size: [] for size in tasks}
    rng = np.random.default_rng(0)
    for _ in range(40):
        for size, task in tasks.items():
            mask = task.legal_mask(states[size])
            assert mask.shape == (size * size + 1,)
            action = int(rng.choice(np.flatnonzero(mask[:-1])))
            actions[size].append(action)
            states[size], _ = task.step(states[size], action)
    for size, task in tasks.items():
        env = go_v5.env(board_size=size)  # made last, so the globals are this size's during the replay
        env.reset()
        for action in actions[size]:
            env.step(action)
        obs = env.observe(env.agent_selection)
        np.testing.assert_array_equal(task.observe(states[size]), obs["observation"].transpose(2, 0, 1))
        np.testing.assert_array_equal(task.legal_mask(states[size]), obs["action_mask"].astype(bool))


# -- refusals and bad arguments ------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, reason",
    [
        ("texas_holdem_v4", "hidden information"),
        ("classic/texas_holdem_no_limit-v6", "hidden information"),
        ("leduc_holdem_v4", "hidden information"),
        ("gin_rummy_v4", "hidden information"),
        ("hanabi_v5", "hidden information"),
        ("rps_v2", "simultaneous"),
        ("classic/rps-v2", "simultaneous"),
    ],
)
def test_refused_games_by_name(name: str, reason: str) -> None:
    with pytest.raises(UnsupportedEnvironmentError, match=reason):
        PettingZooTask.from_name(name)
    with pytest.raises(UnsupportedEnvironmentError, match=reason):
        az_pz.make_task(name)


def test_refused_env_instances() -> None:
    with pytest.raises(UnsupportedEnvironmentError, match="simultaneous"):
        PettingZooTask(rps_v2.env)
    from pettingzoo.classic import leduc_holdem_v4

    with pytest.raises(UnsupportedEnvironmentError, match="hidden information"):
        PettingZooTask(leduc_holdem_v4.env)


def test_parallel_env_is_refused() -> None:
    with pytest.raises(TypeError, match="ParallelEnv"):
        PettingZooTask(rps_v2.parallel_env)
    from pettingzoo.utils.conversions import parallel_to_aec

    with pytest.raises(UnsupportedEnvironmentError, match="simultaneous"):
        PettingZooTask(lambda: parallel_to_aec(rps_v2.parallel_env()))


def test_bad_arguments() -> None:
    env = connect_four_v3.env()
    with pytest.raises(TypeError, match="function returning a fresh env"):
        PettingZooTask(env)
    with pytest.raises(TypeError, match="function returning a fresh env"):
        PettingZooTask("connect_four_v3")
    with pytest.raises(TypeError, match="AEC"):
        PettingZooTask(lambda: object())
    with pytest.raises(TypeError, match="phase_fn"):
        PettingZooTask(connect_four_v3.env, phase_fn=3)
    with pytest.raises(ValueError, match="probe_steps"):
        PettingZooTask(connect_four_v3.env, probe_steps=-1)
    with pytest.raises(ValueError, match="unknown PettingZoo game"):
        PettingZooTask.from_name("no_such_game_v1")
    with pytest.raises(ValueError, match="unknown PettingZoo registry id"):
        PettingZooTask.from_name("classic/no_such_game-v1")
    with pytest.raises(TypeError, match="game name"):
        PettingZooTask.from_name("")


def test_missing_action_mask_is_refused() -> None:
    class NoMask(three_player.raw_env):
        def observe(self, agent):
            return super().observe(agent)["observation"]

    with pytest.raises(ValueError, match="action_mask"):
        PettingZooTask(NoMask)


def test_non_discrete_actions_are_refused() -> None:
    from gymnasium import spaces

    class Continuous(three_player.raw_env):
        def action_space(self, agent):
            return spaces.Box(0, 1, (2,))

    with pytest.raises(ValueError, match="Discrete"):
        PettingZooTask(Continuous)


def test_snapshot_repr_and_type() -> None:
    task = PettingZooTask(functools.partial(go_v5.env, board_size=9))
    state = task.initial_state()
    assert isinstance(state, EnvSnapshot) and "black_0 to move" in repr(state)
    assert "go_v5" in repr(task) and task.spec.num_players == 2
    assert task.possible_agents == ("black_0", "white_0")
