"""Gymnasium views of PettingZoo games: one seat against a fixed opponent agent.

Registered on ``import az_pz``::

    import gymnasium as gym
    env = gym.make("az_pz:az_pz/ConnectFour-v0", opponent="mcts:50", seat="random")
    obs, info = env.reset(seed=0)
    obs, reward, terminated, truncated, info = env.step(int(env.unwrapped.action_masks().argmax()))

The observation is the ``"observation"`` entry of the PettingZoo observation
of the learner's seat (the same view as PettingZoo's SB3 action-mask
tutorial, so models trained on either transfer), the action space is the
game's ``Discrete``, and ``action_masks()`` gives the legal actions in the
form sb3-contrib's MaskablePPO and its ``evaluate_policy`` look for. The
opponent's moves happen inside ``reset`` and ``step``; the reward is the
learner's reward from its move up to its next turn (win +1, loss -1, draw 0
in the classic games). An illegal action ends the episode with
``illegal_reward`` (PettingZoo's own rule for classic games) and
``info["illegal_action"] = True``.
"""

from __future__ import annotations

from typing import Any

import gymnasium
import numpy as np
from gymnasium import spaces

from az_pz.games import make_aec_env  # its home is the games layer; public here too


def _gym_ids() -> dict[str, str]:
    """Each game's Gymnasium id (``gym_id`` of its card in :mod:`az_pz.adapters.games`) -> the game."""
    from az_pz.adapters.games import GAMES, game_card

    ids: dict[str, str] = {}
    for game in GAMES:
        env_id = game_card(game).gym_id
        if env_id:
            ids[env_id] = game
    return ids


GYM_IDS = _gym_ids()
"""Gymnasium id -> PettingZoo game (``az_pz/ConnectFour-v0`` -> ``connect_four_v3``)."""


class SingleAgentEnv(gymnasium.Env):
    """One seat of a PettingZoo AEC game as a Gymnasium env; an agent plays the other seats.

    Args:
        game: PettingZoo game name, e.g. ``"connect_four_v3"``.
        opponent: agent spec for ``az_pz.agents.make`` (``"random"``, ``"mcts:50"``,
            ``"alphazero:RUN_DIR"``...) or an agent object with ``act(env)``.
        seat: the learner's seat, ``0``, ``1`` or ``"random"`` (drawn at each reset).
        illegal_reward: reward for an illegal action (which ends the episode).
        render_mode: ``None``, ``"ansi"`` (``render()`` returns text) or ``"human"`` (prints it).
        **env_kwargs: passed to the PettingZoo env (e.g. ``board_size=9`` for go).
    """

    metadata = {"render_modes": ["ansi", "human"], "render_fps": 2}

    def __init__(
        self,
        game: str = "connect_four_v3",
        opponent: Any = "random",
        seat: int | str = 0,
        illegal_reward: float = -1.0,
        render_mode: str | None = None,
        **env_kwargs: Any,
    ) -> None:
        from az_pz.agents import make

        self.aec = make_aec_env(game, **env_kwargs)
        """The live PettingZoo AEC env both sides play on."""
        self.aec.reset()  # pettingzoo builds some spaces lazily; a reset makes them all available
        agents = list(self.aec.possible_agents)
        if seat != "random" and seat not in range(len(agents)):
            raise ValueError(f"seat must be 'random' or one of 0..{len(agents) - 1}, got {seat!r}")
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            # TypeError, not ValueError: SB3's make_vec_env asks for render_mode="rgb_array" first and
            # falls back to no render mode on a TypeError only
            raise TypeError(f"render_mode must be one of {self.metadata['render_modes']} or None, got {render_mode!r}")
        self.game = game
        """PettingZoo game name."""
        self.opponent = make(opponent)
        """The agent playing every other seat."""
        game_id = str(self.aec.unwrapped.metadata.get("name", game))
        trained_on = _trained_spec(self.opponent)
        if trained_on is not None and trained_on.name != game_id:
            raise ValueError(f"the opponent {opponent!r} plays {trained_on.name!r}, not {game_id!r}: "
                             f"give an agent for {game_id!r}")
        self.seat_option = seat
        """0, 1 or "random"."""
        self.seat = 0 if seat == "random" else int(seat)
        """The learner's seat in the current episode."""
        self.illegal_reward = float(illegal_reward)
        self.render_mode = render_mode
        space = self.aec.observation_space(agents[0])
        self.observation_space = space["observation"] if isinstance(space, spaces.Dict) else space
        self.action_space = spaces.Discrete(int(self.aec.action_space(agents[0]).n))
        self._done = True

    @property
    def agent_name(self) -> str:
        """PettingZoo name of the learner's seat in the current episode."""
        return self.aec.possible_agents[self.seat]

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[np.ndarray, dict]:
        """New game; the opponent moves first when it holds the earlier seat. ``seed`` fixes the whole episode."""
        from az_pz.agents.base import seed_agent

        super().reset(seed=seed)
        if self.seat_option == "random":
            self.seat = int(self.np_random.integers(len(self.aec.possible_agents)))
        self.aec.reset(seed=int(self.np_random.integers(2**31 - 1)))
        seed_agent(self.opponent, int(self.np_random.integers(2**31 - 1)))
        self.opponent.reset()
        self._done = False
        self._play_opponent()
        return self._observation(), self._info()

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict]:
        if self._done:
            raise RuntimeError("the episode is over: call reset() before step()")
        action = int(np.asarray(action).reshape(-1)[0])
        mask = self.action_masks()
        if not (0 <= action < mask.shape[0] and mask[action]):
            self._done = True
            info = self._info()
            info["illegal_action"] = True
            return self._observation(), self.illegal_reward, True, False, info
        reward = self._aec_step(action)
        reward += self._play_opponent()
        me = self.agent_name
        terminated, truncated = bool(self.aec.terminations[me]), bool(self.aec.truncations[me])
        self._done = terminated or truncated
        if self.render_mode == "human":
            self.render()
        return self._observation(), reward, terminated, truncated and not terminated, self._info()

    def action_masks(self) -> np.ndarray:
        """bool ``[n]`` legal actions of the learner (all True once the game is over, when none is meaningful)."""
        mask = np.asarray(self.aec.observe(self.agent_name)["action_mask"]).astype(bool)
        if self._done or not mask.any():
            return np.ones_like(mask)
        return mask

    def render(self) -> str | None:
        from az_pz.agents.human import render_text

        if self.render_mode is None:
            return None
        if self.render_mode == "human":
            print(render_text(self.aec))
            return None
        return render_text(self.aec)

    def close(self) -> None:
        close = getattr(self.opponent, "close", None)
        if callable(close):
            close()
        self.aec.close()

    def _aec_step(self, action: int) -> float:
        """One live move; the learner's share of its rewards (PettingZoo rewards are per step)."""
        self.aec.step(int(action))
        return float(self.aec.rewards.get(self.agent_name, 0.0))

    def _play_opponent(self) -> float:
        """Let the opponent move until it is the learner's turn or the game ends; the learner's rewards."""
        from az_pz.agents.base import check_legal

        reward = 0.0
        me = self.agent_name
        while not (self.aec.terminations[me] or self.aec.truncations[me]) and self.aec.agent_selection != me:
            action = check_legal(self.aec, self.opponent.act(self.aec), f"opponent {self.opponent!r}")
            reward += self._aec_step(action)
        return reward

    def _observation(self) -> np.ndarray:
        observation = self.aec.observe(self.agent_name)
        observation = observation["observation"] if isinstance(observation, dict) else observation
        return np.asarray(observation, dtype=self.observation_space.dtype).copy()

    def _info(self) -> dict[str, Any]:
        return {"action_mask": self.action_masks().astype(np.int8), "seat": self.seat}


def register_envs() -> None:
    """Register the ``az_pz/<Game>-v0`` ids with Gymnasium (idempotent; run on ``import az_pz``)."""
    for env_id, game in GYM_IDS.items():
        if env_id not in gymnasium.registry:
            gymnasium.register(id=env_id, entry_point="az_pz.envs:SingleAgentEnv", kwargs={"game": game})


register_envs()


def _trained_spec(agent: Any) -> Any:
    """The task spec an AlphaZero agent was trained on (its game is fixed), else None."""
    import sys

    module = sys.modules.get("az_pz.agents.alphazero")  # not loaded: no AlphaZeroAgent exists (and torch stays unloaded)
    return agent.task.spec if module is not None and isinstance(agent, module.AlphaZeroAgent) else None
