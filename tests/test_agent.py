"""AlphaZeroAgent: load/save, act in PettingZoo loops from either seat, SB3-style predict, never illegal."""

import numpy as np
import pytest

from az_pz.agents.alphazero import AlphaZeroAgent
from az_pz.checkpoint import CheckpointError
from az_pz.train import Trainer
from learning_helpers import tiny_config


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("agent_run")
    Trainer(tiny_config(train__iterations=1), run_dir=path, progress=False, tensorboard=False).learn()
    return path


def _play(env, agents, seed):
    env.reset(seed=seed)
    for name in env.agent_iter():
        _, _, termination, truncation, _ = env.last()
        if termination or truncation:
            env.step(None)
            continue
        action = agents[env.possible_agents.index(name)](env)
        assert isinstance(action, int)
        env.step(action)


def test_load_from_run_dir_checkpoint_dir_and_zip(run_dir, tmp_path):
    agent = AlphaZeroAgent.load(run_dir, device="cpu")
    state = agent.task.initial_state()
    action = agent.select_action(state)
    checkpoint = run_dir / "checkpoints" / "iter_0001"
    assert AlphaZeroAgent.load(checkpoint).select_action(state) == action
    path = agent.save(tmp_path / "agent")
    assert path.suffix == ".zip"
    loaded = AlphaZeroAgent.load(path)
    assert loaded.select_action(state) == action
    assert loaded.search_config == agent.search_config
    assert AlphaZeroAgent.load(run_dir, num_simulations=3).search_config.num_simulations == 3
    with pytest.raises(ValueError, match="unknown agent overrides"):
        AlphaZeroAgent.load(run_dir, bogus=1)
    (tmp_path / "bad.zip").write_bytes(path.read_bytes()[:50])
    with pytest.raises(CheckpointError):
        AlphaZeroAgent.load(tmp_path / "bad.zip")


@pytest.mark.parametrize("seat", [0, 1])
def test_act_plays_legal_moves_from_either_seat(run_dir, seat):
    agent = AlphaZeroAgent.load(run_dir)
    env = agent.task.make_env()
    rng = np.random.default_rng(seat)

    def random_agent(env):
        mask = env.observe(env.agent_selection)["action_mask"]
        return int(rng.choice(np.flatnonzero(mask)))

    players = [random_agent, random_agent]
    players[seat] = agent.act
    for seed in range(3):
        _play(env, players, seed)


def test_predict_follows_sb3_semantics_and_never_returns_an_illegal_action(run_dir):
    agent = AlphaZeroAgent.load(run_dir)
    env = agent.task.make_env()
    env.reset(seed=0)
    for action in (4, 0):
        env.step(action)
    obs = env.observe(env.agent_selection)
    single, state = agent.predict(obs)
    assert state is None and isinstance(single, np.ndarray) and single.shape == ()
    assert obs["action_mask"][int(single)]
    bare, _ = agent.predict(obs["observation"], action_masks=obs["action_mask"])
    assert obs["action_mask"][int(bare)]
    only = np.zeros(9, np.int8)
    only[7] = 1
    for deterministic in (True, False):
        actions, _ = agent.predict(np.stack([obs["observation"]] * 4), action_masks=np.stack([only] * 4),
                                   deterministic=deterministic)
        assert actions.shape == (4,) and np.all(actions == 7)


def test_network_policy_without_search(run_dir):
    agent = AlphaZeroAgent.load(run_dir, num_simulations=0)
    state = agent.task.initial_state()
    assert agent.task.legal_mask(state)[agent.select_action(state)]
    obs = np.zeros((3, 3, 2), np.int8)
    mask = np.zeros(9, bool)
    mask[2] = True
    assert int(agent.predict(obs, action_masks=mask)[0]) == 2


def test_same_seed_same_moves(run_dir):
    a = AlphaZeroAgent.load(run_dir, seed=5)
    b = AlphaZeroAgent.load(run_dir, seed=5)
    states = [a.task.initial_state()]
    for action in (0, 4, 8):
        states.append(a.task.step(states[-1], action)[0])
    np.testing.assert_array_equal(a.select_actions(states, deterministic=False),
                                  b.select_actions(states, deterministic=False))


def test_predict_searches_the_rebuilt_state_like_act(run_dir):
    agent = AlphaZeroAgent.load(run_dir)
    env = agent.task.make_env()
    env.reset(seed=0)
    for action in (0, 4, 8):
        env.step(action)
        obs = env.observe(env.agent_selection)
        assert int(agent.predict(obs, deterministic=True)[0]) == agent.act(env)


def test_gumbel_agent_samples_when_not_deterministic(run_dir):
    agent = AlphaZeroAgent.load(run_dir, gumbel=True, num_simulations=4, seed=0)
    state = agent.task.initial_state()
    assert len({agent.select_action(state, deterministic=True) for _ in range(8)}) == 1
    sampled = {agent.select_action(state, deterministic=False) for _ in range(16)}
    assert len(sampled) > 1
    assert all(agent.task.legal_mask(state)[a] for a in sampled)


def test_predict_signature_matches_sb3_and_bad_inputs_are_named(run_dir):
    import inspect

    from stable_baselines3.common.policies import BasePolicy

    agent = AlphaZeroAgent.load(run_dir)
    ours = inspect.signature(agent.predict).parameters
    theirs = inspect.signature(BasePolicy.predict).parameters
    assert list(ours) == [name for name in theirs if name != "self"] + ["action_masks"]
    assert ours["deterministic"].default is True  # plays its strongest move unless asked to sample
    obs = np.zeros((3, 3, 2), np.int8)
    with pytest.raises(ValueError, match="fits no phase of 'tictactoe_v3'"):
        agent.predict(np.zeros((6, 7, 2), np.int8))  # a connect four observation
    with pytest.raises(ValueError, match="action mask of shape"):
        agent.predict(obs, action_masks=np.ones(7, bool))
    batch, _ = agent.predict(np.stack([obs] * 2), action_masks=np.ones((2, 9), np.int8))
    assert batch.shape == (2,)


def test_act_in_another_games_env_is_refused_by_name(run_dir):
    import pettingzoo

    agent = AlphaZeroAgent.load(run_dir)
    env = pettingzoo.make("aec", "classic/connect_four-v3")
    env.reset(seed=0)
    with pytest.raises(ValueError, match="plays 'classic/tictactoe-v3' but the env is 'connect_four_v3'"):
        agent.act(env)
    from pettingzoo.classic import rps_v2

    parallel = rps_v2.parallel_env()
    parallel.reset(seed=0)
    with pytest.raises(TypeError, match="parallel envs"):
        agent.act(parallel)


def _untrained_agent(game):
    from az_pz.config import NetworkConfig
    from az_pz.games import make_task
    from az_pz.network import AlphaZeroNetwork
    from az_pz.search import SearchConfig

    task = make_task(game)
    network = AlphaZeroNetwork(task.spec, NetworkConfig(kind="mlp", num_blocks=1, mlp_hidden=16, value_hidden=8))
    return AlphaZeroAgent(task, network, search=SearchConfig(num_simulations=8), device="cpu")


@pytest.mark.parametrize("game", ["tictactoe_v3", "connect_four_v3"])
def test_predict_on_finished_games_answers_from_the_mask_without_searching(game):
    """The observation of a finished game decodes to a terminal state (whoever observes it); predict then
    returns a legal action from the given mask without searching, and refuses a mask with no action."""
    from az_pz.agents.alphazero_observations import known_decoder as _known_decoder

    agent = _untrained_agent(game)
    task, decode = agent.task, _known_decoder(agent.task)
    env = task.make_env()
    rng = np.random.default_rng(0)
    endings = set()
    for seed in range(40):
        env.reset(seed=seed)
        while not any(env.terminations.values()):
            assert decode(env.observe(env.agent_selection)["observation"]) == task.state_from_env(env)
            env.step(int(rng.choice(np.flatnonzero(env.observe(env.agent_selection)["action_mask"]))))
        state = task.state_from_env(env)
        endings.add(tuple(float(r) for r in env.rewards.values()))
        for agent_name in env.agents:  # the player to move and the one that just moved
            observation = env.observe(agent_name)
            decoded = decode(observation["observation"])
            assert task.is_terminal(decoded)
            if any(env.rewards.values()) or agent_name == env.agent_selection:  # a drawn board has no winner
                assert decoded == state  # to tell the seats apart by, for the player that moved last
            if observation["action_mask"].any():
                action = int(agent.predict(observation)[0])
                assert observation["action_mask"][action]
            with pytest.raises(ValueError, match="allows no action.*env.step\\(None\\)"):
                agent.predict(observation["observation"], action_masks=np.zeros_like(observation["action_mask"]))
    assert agent._mcts is None  # nothing was searched
    assert {(1.0, -1.0), (-1.0, 1.0)} <= endings
