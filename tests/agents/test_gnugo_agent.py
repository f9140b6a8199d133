import pytest
from pettingzoo.classic.go import coords

from az_pz.agents import make
from az_pz.agents.gnugo import GnuGoAgent, action_to_gtp, gtp_to_action
from az_pz.agents.random import RandomAgent
from az_pz.agents.stockfish import find_engine
from az_pz.envs import make_aec_env

from agent_test_helpers import play


def _gnugo() -> str | None:
    try:
        return find_engine("gnugo", None, "AZ_PZ_GNUGO", "")
    except FileNotFoundError:
        return None


needs_gnugo = pytest.mark.skipif(
    _gnugo() is None, reason="gnugo binary not found on PATH or in /usr/games (install: apt-get install gnugo)"
)


@pytest.mark.parametrize("size", [5, 9, 19])
def test_gtp_conversion_matches_pettingzoo_coords(size):
    make_aec_env("go_v5", board_size=size)  # sets PettingZoo's module-global N to `size`
    for action in range(size * size + 1):
        expected = coords.to_gtp(coords.from_flat(action))
        assert action_to_gtp(action, size) == expected
        assert gtp_to_action(expected, size) == action
    assert gtp_to_action("PASS", size) == size * size


def test_off_board_vertex_is_refused():
    with pytest.raises(ValueError):
        gtp_to_action("J10", 9)


def test_missing_binary_says_how_to_install(monkeypatch):
    import az_pz.agents.stockfish as stockfish

    monkeypatch.setenv("PATH", "")
    monkeypatch.delenv("AZ_PZ_GNUGO", raising=False)
    monkeypatch.setattr(stockfish, "_SEARCH_DIRS", ())
    with pytest.raises(FileNotFoundError, match="apt-get install gnugo"):
        GnuGoAgent(1)


@pytest.mark.engine
@needs_gnugo
def test_gnugo_plays_whole_games_from_both_seats_and_resyncs():
    engine = make("gnugo:0", seed=0)
    try:
        first = play("go_v5", [engine, RandomAgent(0)], board_size=7, max_moves=300)
        # no reset() in between: the agent notices the new game and replays from an empty board
        second = play("go_v5", [RandomAgent(1), engine], board_size=7, max_moves=300)
        assert first["rewards"]["black_0"] == 1  # GNU Go beats a random player on 7x7
        assert second["rewards"]["white_0"] == 1
    finally:
        engine.close()


@pytest.mark.engine
@needs_gnugo
def test_gnugo_on_a_different_board_size_after_a_game():
    with GnuGoAgent(level=0, seed=1) as engine:
        play("go_v5", [engine, RandomAgent(0)], board_size=5, max_moves=20)
        play("go_v5", [engine, RandomAgent(0)], board_size=9, max_moves=20)
        assert engine._setup == (9, 7.5)


@needs_gnugo
def test_another_game_is_refused_by_name():
    env = make_aec_env("connect_four_v3")
    env.reset(seed=0)
    agent = GnuGoAgent(level=0)
    try:
        with pytest.raises(ValueError, match="plays go only, not 'connect_four_v3'"):
            agent.act(env)
    finally:
        agent.close()
