"""OpenSpiel's games through Shimmy: conformance, exact clones, channel-first observations, refusals."""

from __future__ import annotations

import functools

import numpy as np
import pytest

pyspiel = pytest.importorskip("pyspiel", reason="OpenSpiel's games need az_pz[openspiel] (open-spiel)")
pytest.importorskip("shimmy", reason="OpenSpiel's games need az_pz[openspiel] (shimmy)")

from az_pz import make_task  # noqa: E402
from az_pz.adapters import CloneableEnv, PettingZooTask, UnsupportedEnvironmentError, check_clones  # noqa: E402
from az_pz.adapters.openspiel import make_env, openspiel_games  # noqa: E402
from az_pz.adapters.openspiel_task import OpenSpielTask  # noqa: E402
from az_pz.testing import check_task  # noqa: E402

GAMES = [
    ("tic_tac_toe", {}),
    ("connect_four", {}),
    ("othello", {}),
    ("breakthrough", {}),
    ("hex", {"board_size": 5}),
    ("clobber", {}),
    ("dots_and_boxes", {}),
]
IDS = [name for name, _ in GAMES]


@pytest.mark.parametrize(("game", "params"), GAMES, ids=IDS)
def test_check_task_through_shimmy(game: str, params: dict) -> None:
    task = make_task(f"openspiel:{game}", backend="pettingzoo", **params)
    assert isinstance(task, PettingZooTask)
    result = check_task(task, num_games=2)
    assert result.plies > 0
    assert result.observation_layout == "chw (OpenSpiel observation tensor)"
    shape = tuple(pyspiel.load_game(game, params).observation_tensor_shape())
    assert task.spec.phases[0].observation_shape == shape  # channels first, as OpenSpiel lays them out


@pytest.mark.parametrize(("game", "params"), GAMES, ids=IDS)
def test_clones_are_exact_against_replay(game: str, params: dict) -> None:
    env_fn = functools.partial(make_env, game, params)
    assert CloneableEnv(env_fn()).fast  # the registered cloner (state.clone()), not the generic copy
    for mode in ("clone", "state"):
        # Copies at random plies, each followed for 12 plies, and one early copy followed to the end of its game.
        result = check_clones(env_fn, num_games=3, mode=mode, copy_probability=0.15, horizon=12, observe_all=True)
        assert result.copies >= 3


@pytest.mark.parametrize(("game", "params"), GAMES, ids=IDS)
def test_native_task_plays_exactly_like_shimmy(game: str, params: dict) -> None:
    native = make_task(f"openspiel:{game}", **params)
    shimmy = make_task(f"openspiel:{game}", backend="pettingzoo", **params)
    assert isinstance(native, OpenSpielTask) and native.spec == shimmy.spec
    check_task(native, num_games=2)
    rng = np.random.default_rng(1)
    for _ in range(2):
        a, b = native.initial_state(), shimmy.initial_state()
        while not native.is_terminal(a):
            assert not shimmy.is_terminal(b)
            assert native.to_play(a) == shimmy.to_play(b)
            np.testing.assert_array_equal(native.legal_mask(a), shimmy.legal_mask(b))
            np.testing.assert_array_equal(native.observe(a), shimmy.observe(b))
            action = int(rng.choice(np.flatnonzero(native.legal_mask(a))))
            (a, reward_a), (b, reward_b) = native.step(a, action), shimmy.step(b, action)
            np.testing.assert_array_equal(reward_a, reward_b)
        assert shimmy.is_terminal(b)


def test_observation_is_openspiels_tensor_not_transposed() -> None:
    task = make_task("openspiel:othello", backend="pettingzoo")
    state = task.initial_state()
    game = pyspiel.load_game("othello")
    expected = np.asarray(game.new_initial_state().observation_tensor(0), np.float32).reshape(3, 8, 8)
    np.testing.assert_array_equal(task.observe(state), expected)
    assert task.observation_layout == "chw"


def test_game_parameters_reach_openspiel() -> None:
    task = make_task("openspiel:hex", board_size=5)
    assert task.spec.phases[0].observation_shape == (9, 5, 5) and task.spec.max_actions == 25
    assert task.spec.env_kwargs == (("board_size", 5),)
    with pytest.raises(ValueError, match="Unknown parameter 'bord_size'"):
        make_task("openspiel:hex", bord_size=5)
    with pytest.raises(ValueError, match="no game 'hexx'"):
        make_task("openspiel:hexx")


REFUSED = [
    ("backgammon", "chance nodes"),
    ("pig", "chance nodes"),
    ("kuhn_poker", "imperfect information"),
    ("leduc_poker", "imperfect information"),
    ("goofspiel", "simultaneous"),
]


@pytest.mark.parametrize(("game", "reason"), REFUSED, ids=[g for g, _ in REFUSED])
def test_games_alphazero_cannot_serve_are_refused(game: str, reason: str) -> None:
    for backend in ("auto", "pettingzoo"):
        with pytest.raises(UnsupportedEnvironmentError, match=reason):
            make_task(f"openspiel:{game}", backend=backend)
    from shimmy import OpenSpielCompatibilityV0

    with pytest.raises(UnsupportedEnvironmentError, match=reason):  # the env itself, handed to the adapter
        PettingZooTask(functools.partial(OpenSpielCompatibilityV0, game_name=game))


def test_listing_says_which_games_are_served_and_why_not() -> None:
    rows = dict(openspiel_games())
    for game, _ in GAMES:
        assert rows[game] is None
    for game, reason in REFUSED:
        assert reason in rows[game]
    assert len(rows) == len(pyspiel.registered_games())


def test_state_from_env_refuses_another_game() -> None:
    task = make_task("openspiel:hex", board_size=5)
    env = make_env("hex", {"board_size": 7})
    env.reset()
    with pytest.raises(ValueError, match="board_size=7"):
        task.state_from_env(env)
    shimmy = make_task("openspiel:hex", backend="pettingzoo", board_size=5)
    with pytest.raises(ValueError, match="board_size=7"):
        shimmy.state_from_env(env)
    same = make_env("hex", {"board_size": 5})
    same.reset()
    same.step(12)
    state = task.state_from_env(same)
    assert state.history() == [12] and same.game_state.history() == [12]
