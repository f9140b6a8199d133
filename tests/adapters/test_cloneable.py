"""CloneableEnv: clones and saved states proved against the original by differential play."""

from __future__ import annotations

import copy
import functools
import warnings

import numpy as np
import pytest
from pettingzoo.classic import chess_v6, connect_four_v3, go_v5, tictactoe_v3
from pettingzoo.test import api_test, seed_test

from az_pz.adapters import CloneableEnv, EnvState, measure_clone_cost, register_cloner
from az_pz.adapters.clone_check import check_clones
from az_pz.adapters.cloneable import copy_aec_common, structural_copy
from tests.games import three_player, two_phase

warnings.filterwarnings("ignore", category=DeprecationWarning)


def go_policy(pass_probability: float):
    """Random legal moves, passing with the given probability (so that games end in bounded time)."""

    def policy(rng: np.random.Generator, mask: np.ndarray) -> int:
        if rng.random() < pass_probability:
            return len(mask) - 1
        return int(rng.choice(np.flatnonzero(mask)))

    return policy


# name -> (env_fn, check_clones options)
GAMES = {
    "tictactoe": (tictactoe_v3.env, {"observe_all": True}),
    "connect_four": (connect_four_v3.env, {"observe_all": True}),
    "chess": (chess_v6.env, {"horizon": 20, "copy_probability": 0.03}),
    "go9": (functools.partial(go_v5.env, board_size=9), {"policy": go_policy(0.05), "horizon": 30}),
    "go13": (functools.partial(go_v5.env, board_size=13), {"policy": go_policy(0.08), "horizon": 30,
                                                           "max_plies": 400}),
    "go19": (functools.partial(go_v5.env, board_size=19), {"policy": go_policy(0.1), "horizon": 30,
                                                           "max_plies": 400}),
    "two_phase": (two_phase.env, {"observe_all": True}),
    "three_player": (three_player.env, {"observe_all": True}),
}
QUICK_GAMES = {"tictactoe": 60, "connect_four": 30, "chess": 1, "go9": 4, "go13": 2, "go19": 2,
               "two_phase": 60, "three_player": 60}
"""Games per game and mode in the default run (keeps the file well under a minute)."""


@pytest.mark.parametrize("mode", ["clone", "state"])
@pytest.mark.parametrize("game", list(GAMES))
def test_copies_match_original(game: str, mode: str) -> None:
    env_fn, options = GAMES[game]
    result = check_clones(env_fn, num_games=QUICK_GAMES[game], seed=11, mode=mode, **options)
    assert result.copies >= result.games


@pytest.mark.parametrize("game", ["tictactoe", "connect_four", "go9", "two_phase", "three_player"])
def test_generic_structural_copy_matches_original(game: str) -> None:
    env_fn, options = GAMES[game]
    result = check_clones(env_fn, num_games=min(QUICK_GAMES[game], 10), seed=5, mode="generic", **options)
    assert result.copies >= result.games


@pytest.mark.slow
@pytest.mark.parametrize("game", ["tictactoe", "connect_four", "chess", "go9", "go13", "go19", "two_phase",
                                  "three_player"])
def test_copies_match_original_1000_games(game: str) -> None:
    """1,000 games per game: 500 with clones, 500 with saved and restored states."""
    env_fn, options = GAMES[game]
    if game == "chess":  # ~300 plies a game: short-horizon copies only, about 3 a game
        options = {**options, "copy_probability": 0.01, "full_copy": False}
    cloned = check_clones(env_fn, num_games=500, seed=1000, mode="clone", **options)
    restored = check_clones(env_fn, num_games=500, seed=5000, mode="state", **options)
    assert cloned.games + restored.games == 1000


@pytest.mark.slow
def test_generic_copy_chess_and_go19() -> None:
    for game in ("chess", "go19"):
        env_fn, options = GAMES[game]
        check_clones(env_fn, num_games=20, seed=3, mode="generic", **options)


def test_deepcopy_is_not_a_clone_but_clone_is() -> None:
    """The reason CloneableEnv exists: deepcopy of a classic env is a fresh, empty game."""
    env = connect_four_v3.env()
    env.reset(seed=0)
    for action in (3, 3, 4):
        env.step(action)
    assert sum(np.asarray(copy.deepcopy(env).unwrapped.__dict__.get("board", [0]))) == 0
    clone = CloneableEnv(env).clone()
    assert clone.unwrapped.board == env.unwrapped.board
    assert clone.unwrapped.board is not env.unwrapped.board
    assert clone.agent_selection == env.agent_selection == "player_1"


def test_clone_shares_nothing_mutable_with_original() -> None:
    env = CloneableEnv(chess_v6.env())
    env.reset(seed=0)
    env.step(int(np.flatnonzero(env.observe("player_0")["action_mask"])[0]))
    clone = env.clone()
    raw, other = env.unwrapped, clone.unwrapped
    for attribute in ("board", "board_history", "rewards", "_cumulative_rewards", "terminations", "truncations",
                      "infos", "agents", "_agent_selector"):
        assert getattr(raw, attribute) is not getattr(other, attribute), attribute
    assert raw.board.move_stack is not other.board.move_stack
    assert raw.board.move_stack == other.board.move_stack
    assert other._agent_selector.agent_order is other.agents or raw._agent_selector.agent_order is not raw.agents
    assert env.fast and clone.fast


def test_chess_clone_keeps_repetition_history() -> None:
    """Repetition needs the move stack: PettingZoo ends the game as soon as a draw can be *claimed*
    (the 7th ply of a knight dance allows a threefold repetition), and so must the clone."""
    import chess
    from pettingzoo.classic.chess import chess_utils

    def action_of(uci: str, player: int) -> int:
        move = chess.Move.from_uci(uci)
        move = chess_utils.mirror_move(move) if player else move
        c, r = chess_utils.square_to_coord(move.from_square)
        return (c * 8 + r) * 73 + chess_utils.get_move_plane(move)

    dance = ["g1f3", "g8f6", "f3g1", "f6g8", "g1f3", "g8f6", "f3g1"]
    env = CloneableEnv(chess_v6.env())
    env.reset(seed=0)
    for ply, uci in enumerate(dance[:-1]):
        env.observe(env.agent_selection)
        env.step(action_of(uci, ply % 2))
    assert not any(env.terminations.values())
    clone = env.clone()
    for copy_ in (env, clone):
        copy_.observe(copy_.agent_selection)
        copy_.step(action_of(dance[-1], 0))
        assert all(copy_.terminations.values()), "a claimable threefold repetition ends the game"
        assert copy_.rewards == {"player_0": 0, "player_1": 0}


def test_go_board_sizes_mixed_in_one_process() -> None:
    """go keeps its board size in module globals; envs of several sizes must still play correctly."""
    policy = go_policy(0.05)

    def play(envs, seeds, plies):
        records = {id(env): [] for env in envs}
        rngs = [np.random.default_rng(seed) for seed in seeds]
        for _ in range(plies):
            for env, rng in zip(envs, rngs):
                agent = env.agent_selection
                if env.terminations[agent]:
                    continue
                obs = env.observe(agent)
                records[id(env)].append((obs["observation"].copy(), obs["action_mask"].copy()))
                env.step(policy(rng, obs["action_mask"]))
        return [records[id(env)] for env in envs]

    alone = []
    for size, seed in ((9, 1), (13, 2), (19, 3)):
        env = CloneableEnv(go_v5.env(board_size=size))
        env.reset(seed=0)
        alone += play([env], [seed], 60)
    mixed_envs = [CloneableEnv(go_v5.env(board_size=size)) for size in (9, 13, 19)]
    for env in mixed_envs:
        env.reset(seed=0)
    mixed = play(mixed_envs, [1, 2, 3], 60)
    for one, other in zip(alone, mixed):
        assert len(one) == len(other)
        for (obs_a, mask_a), (obs_b, mask_b) in zip(one, other):
            assert np.array_equal(obs_a, obs_b) and np.array_equal(mask_a, mask_b)


def test_saved_state_is_reusable_and_checked() -> None:
    env = CloneableEnv(tictactoe_v3.env())
    env.reset()
    env.step(4)
    saved = env.get_state()
    assert isinstance(saved, EnvState)
    env.step(0)
    env.set_state(saved)
    assert env.unwrapped.board.squares == [0, 0, 0, 0, 1, 0, 0, 0, 0]
    env.step(8)
    env.set_state(saved)  # the saved state was not consumed
    assert env.unwrapped.board.squares == [0, 0, 0, 0, 1, 0, 0, 0, 0]
    other = CloneableEnv(connect_four_v3.env())
    other.reset()
    with pytest.raises(ValueError, match="cannot restore"):
        other.set_state(saved)
    with pytest.raises(TypeError, match="EnvState"):
        env.set_state({"board": 1})


def test_rng_state_travels_with_the_clone() -> None:
    env = CloneableEnv(three_player.env())
    env.reset(seed=0)
    env.unwrapped.np_random = np.random.default_rng(123)
    env.unwrapped.np_random.random()
    clone = env.clone()
    assert clone.unwrapped.np_random is not env.unwrapped.np_random
    assert clone.unwrapped.np_random.random() == env.unwrapped.np_random.random()


def test_register_cloner_is_used_for_exact_type() -> None:
    calls = []

    class Game(three_player.raw_env):
        pass

    def clone(raw):
        calls.append(raw)
        new = copy_aec_common(raw)
        new.board = raw.board.copy()
        return new

    register_cloner(Game, clone)
    env = CloneableEnv(Game())
    env.reset()
    assert env.fast
    env.step(5)
    clone_ = env.clone()
    assert calls and clone_.unwrapped.board[5] == 1 and clone_.unwrapped.board is not env.unwrapped.board

    class Unregistered(Game):
        pass

    assert not CloneableEnv(Unregistered()).fast  # only the exact type is matched: subclasses may add state


def test_structural_copy_keeps_aliasing() -> None:
    shared = [1, 2]
    copied = structural_copy({"a": shared, "b": shared, "t": (shared,)})
    assert copied["a"] is copied["b"] is copied["t"][0] and copied["a"] is not shared


def test_cloneable_env_passes_pettingzoo_tests() -> None:
    api_test(CloneableEnv(connect_four_v3.env()), num_cycles=200)
    seed_test(lambda: CloneableEnv(two_phase.env()), num_cycles=100)
    api_test(CloneableEnv(two_phase.env()).clone(), num_cycles=200)


def test_cloneable_env_refuses_non_aec() -> None:
    with pytest.raises(TypeError, match="AEC"):
        CloneableEnv(connect_four_v3.parallel_env() if hasattr(connect_four_v3, "parallel_env") else object())
    with pytest.raises(TypeError, match="AEC"):
        CloneableEnv("connect_four_v3")


def test_clone_cost_within_targets(capsys) -> None:
    """Clone cost targets: 30 µs tic-tac-toe / connect four, 60 µs chess / go 19x19 (loose 3x margin here,
    as the test machine is shared; examples/clone_cost.py prints the figures)."""
    targets = {
        "tictactoe": (tictactoe_v3.env, 30),
        "connect_four": (connect_four_v3.env, 30),
        "chess": (chess_v6.env, 60),
        "go19": (functools.partial(go_v5.env, board_size=19), 60),
    }
    for name, (env_fn, target) in targets.items():
        cost = measure_clone_cost(env_fn, plies=40, repeats=1000)
        with capsys.disabled():
            print(f"\nclone cost {name}: {cost:.1f} us (target {target} us)", end="")
        assert cost < 3 * target, f"{name}: {cost:.1f} us"
