"""Agents given a thinking time per move: ``mcts:50ms``, ``AlphaZeroAgent(time_per_move_s=...)``, ``--movetime``."""

from __future__ import annotations

import json

import pytest

from az_pz.agents import make
from az_pz.agents.alphazero import AlphaZeroAgent
from az_pz.agents.mcts import MCTSAgent
from az_pz.cli import main
from az_pz.envs import make_aec_env
from az_pz.search import NO_SIMULATION_CAP, SearchConfig


@pytest.mark.parametrize("spec", ["mcts:50ms", "mcts:0.05s", "mcts:50MS"])
def test_mcts_spec_with_a_time_has_no_simulation_cap(spec):
    agent = make(spec)
    assert agent.config.time_per_move_s == pytest.approx(0.05)
    assert agent.config.num_simulations == NO_SIMULATION_CAP
    assert repr(agent) == "MCTSAgent(time_per_move_s=0.05)"


def test_mcts_spec_with_a_count_is_unchanged_and_a_movetime_adds_a_clock():
    assert make("mcts:1600").config.time_per_move_s is None
    assert make("mcts:1600").config.num_simulations == 1600
    both = make("mcts:1600", time_per_move_s=0.05).config
    assert (both.num_simulations, both.time_per_move_s) == (1600, 0.05)
    assert make("mcts:20ms", time_per_move_s=0.5).config.time_per_move_s == pytest.approx(0.02)  # the spec's wins
    assert MCTSAgent().config.num_simulations == 100


@pytest.mark.parametrize("spec", ["mcts:fastms", "mcts:0ms", "mcts:-5ms", "mcts:1.5", "mcts:x"])
def test_mcts_spec_errors_name_the_argument(spec):
    with pytest.raises(ValueError, match="mcts:ARG expects an integer count of simulations .* or a thinking time"):
        make(spec)


def test_a_timed_mcts_agent_plays_a_legal_move_and_counts_its_simulations():
    env = make_aec_env("connect_four_v3")
    env.reset(seed=0)
    for move in (3, 3, 4):
        env.step(move)
    agent = make("mcts:30ms", seed=0)
    assert agent.simulations_per_move is None
    action = agent.act(env)
    assert env.observe(env.agent_selection)["action_mask"][action] == 1
    assert agent.moves_searched == 1 and agent.simulations_per_move >= 1


def _untrained_agent(**kwargs):
    from az_pz.config import NetworkConfig
    from az_pz.games import make_task
    from az_pz.network import AlphaZeroNetwork

    task = make_task("connect_four_v3")
    network = AlphaZeroNetwork(task.spec, NetworkConfig(kind="mlp", num_blocks=1, mlp_hidden=16, value_hidden=8))
    return AlphaZeroAgent(task, network, device="cpu", **kwargs)


def test_alphazero_agent_thinks_for_its_time_with_no_simulation_cap():
    agent = _untrained_agent(search=SearchConfig(num_simulations=8), time_per_move_s=0.03)
    assert agent.search_config.num_simulations == NO_SIMULATION_CAP
    assert agent.search_config.time_per_move_s == pytest.approx(0.03)
    state = agent.task.initial_state()
    assert agent.task.legal_mask(state)[agent.select_action(state)]
    assert agent.simulations_per_move >= 1


def test_alphazero_gumbel_keeps_its_planned_simulations():
    agent = _untrained_agent(search=SearchConfig(num_simulations=16, gumbel=True), time_per_move_s=0.03)
    assert (agent.search_config.num_simulations, agent.search_config.time_per_move_s) == (16, 0.03)


def test_alphazero_load_with_a_time_and_optionally_a_cap(tmp_path):
    path = _untrained_agent(search=SearchConfig(num_simulations=8)).save(tmp_path / "agent")
    timed = AlphaZeroAgent.load(path, device="cpu", time_per_move_s=0.02).search_config
    assert (timed.num_simulations, timed.time_per_move_s) == (NO_SIMULATION_CAP, 0.02)
    capped = AlphaZeroAgent.load(path, device="cpu", time_per_move_s=0.02, num_simulations=50).search_config
    assert (capped.num_simulations, capped.time_per_move_s) == (50, 0.02)


def test_eval_with_movetime_runs_and_prints_the_simulations_per_move(tmp_path, capsys):
    path = tmp_path / "eval.json"
    argv = ["eval", "connect_four_v3", "mcts:20ms", "--opponent", "random", "--games", "2", "--movetime", "20ms",
            "--json", str(path)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "W/D/L" in out and "simulations per move: mcts:20ms " in out
    assert json.loads(path.read_text())["results"]["random"]["simulations_per_move"]["agent"] >= 1


def test_movetime_reaches_alphazero_agents_in_eval(tmp_path, capsys):
    path = _untrained_agent(search=SearchConfig(num_simulations=4)).save(tmp_path / "agent")
    argv = ["eval", "connect_four_v3", f"alphazero:{path}", "--opponent", "mcts:5", "--games", "2",
            "--movetime", "10ms", "--json", str(tmp_path / "eval.json")]
    assert main(argv) == 0
    figures = json.loads((tmp_path / "eval.json").read_text())["results"]["mcts:5"]["simulations_per_move"]
    assert figures["opponent"] <= 5 and figures["agent"] >= 1  # the count caps mcts:5; the agent has no cap


def test_arena_with_movetime_prints_the_simulations_per_move(capsys):
    assert main(["arena", "tictactoe_v3", "mcts:10ms", "mcts:20", "--games", "2", "--no-progress",
                 "--movetime", "10ms"]) == 0
    assert "simulations per move: mcts:10ms " in capsys.readouterr().out


@pytest.mark.parametrize("argv, words", [
    (["eval", "connect_four_v3", "mcts", "--movetime", "50"], "--movetime: expected a positive duration"),
    (["eval", "connect_four_v3", "mcts", "--movetime", "fastms"], "like 50ms or 0.2s"),
    (["arena", "connect_four_v3", "mcts", "random", "--movetime", "0s"], "like 50ms or 0.2s"),
    (["eval", "connect_four_v3", "mcts:fastms"], "mcts:ARG expects"),
    (["eval", "connect_four_v3", "random", "--opponent", "mcts:-3ms"], "mcts:ARG expects"),
    (["arena", "--run", "nowhere", "--movetime", "50ms"], "--movetime gives agent specs"),
])
def test_bad_durations_are_one_line_usage_errors(argv, words, capsys):
    try:
        code = main(argv)
    except SystemExit as stop:  # argparse's own usage errors
        code = stop.code
    err = capsys.readouterr().err
    assert code == 2 and words in err, err
    assert len([line for line in err.splitlines() if line.strip()]) == 1, err
