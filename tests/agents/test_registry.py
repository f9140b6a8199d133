import importlib.metadata

import pytest

import az_pz.agents as agents
from az_pz.agents import Agent, RandomAgent, make, register, registered


def test_builtin_kinds_are_registered():
    assert {"random", "mcts", "alphazero", "maskable_ppo", "ppo", "stockfish", "gnugo", "human"} <= set(registered())


def test_make_random_and_pass_through_of_agent_objects():
    agent = make("random")
    assert isinstance(agent, RandomAgent) and isinstance(agent, Agent)
    assert make(agent) is agent
    with pytest.raises(TypeError):
        make(42)


def test_unknown_kind_lists_known_ones():
    with pytest.raises(ValueError, match="known kinds: .*mcts"):
        make("nonsense:3")


def test_bad_integer_argument_is_explained():
    with pytest.raises(ValueError, match="integer"):
        make("mcts:many")


def test_register_at_run_time():
    register("always_random_test", lambda arg=None, **kw: RandomAgent(int(arg) if arg else None))
    assert isinstance(make("always_random_test:3"), RandomAgent)
    with pytest.raises(ValueError):
        register("bad:name", RandomAgent)


def test_entry_point_group_is_loaded(monkeypatch):
    point = importlib.metadata.EntryPoint(name="plugin_random", value="az_pz.agents:_random", group="az_pz.agents")

    def fake_entry_points(group=None):
        return [point] if group == agents.ENTRY_POINT_GROUP else []

    monkeypatch.setattr(agents, "entry_points", fake_entry_points)
    monkeypatch.delitem(agents._REGISTRY, "plugin_random", raising=False)
    assert "plugin_random" in registered()
    assert isinstance(make("plugin_random:4"), RandomAgent)
    monkeypatch.delitem(agents._REGISTRY, "plugin_random")


def test_file_based_kinds_fail_clearly_without_a_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        make(f"maskable_ppo:{tmp_path / 'missing'}")
    with pytest.raises(ValueError, match="RUN_DIR"):
        make("alphazero")
