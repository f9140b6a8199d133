"""SB3Agent: a Stable-Baselines3 / sb3-contrib model as a PettingZoo player.

The model sees what it was trained on: the single-agent view of
``az_pz.envs`` (and of PettingZoo's SB3 action-mask tutorial), i.e. the
``"observation"`` entry of the PettingZoo observation of the agent to move,
with ``"action_mask"`` as the action mask. MaskablePPO gets the mask through
``predict(..., action_masks=...)``; models without masking (PPO, A2C) have
their action distribution masked here, so no model ever plays an illegal move.

``SB3Agent.load`` unpickles nothing from the file unless asked to (``trust=True``):
see :mod:`az_pz.agents.sb3_zip` for how and why.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from az_pz.agents.base import check_legal, legal_mask

_ALGORITHMS = {
    "maskable_ppo": ("sb3_contrib", "MaskablePPO"),
    "ppo": ("stable_baselines3", "PPO"),
    "a2c": ("stable_baselines3", "A2C"),
}


class SB3Agent:
    """Plays a loaded SB3 model.

    Args:
        model: a Stable-Baselines3 or sb3-contrib model (``BaseAlgorithm``).
        deterministic: play the most probable legal action (else sample).
        seed: seed of the generator used when sampling.
    """

    def __init__(self, model: Any, *, deterministic: bool = True, seed: int | None = None) -> None:
        self.model = model
        """The wrapped model; its ``observation_space`` fixes dtype and shape of what it is fed."""
        self.deterministic = deterministic
        """Most probable legal action if True, a sample otherwise."""
        self.rng = np.random.default_rng(seed)
        """Draws the action when ``deterministic`` is False (models without masking)."""
        self.game: str | None = None
        """The game whose Gymnasium view the model was loaded for (``load`` sets it; None: not known)."""
        self._maskable = type(model).__name__.startswith("Maskable")

    @classmethod
    def load(cls, path: str | Path, *, algorithm: str = "maskable_ppo", device: str = "cpu", game: str | None = None,
             env_kwargs: dict[str, Any] | None = None, trust: bool = False, **kwargs: Any) -> "SB3Agent":
        """Load a model saved with ``model.save(path)`` (SB3's zip format; the ``.zip`` suffix may be left out).

        By default nothing in the file is unpickled (see :mod:`az_pz.agents.sb3_zip`): the spaces come from
        the Gymnasium view of ``game`` (``"connect_four_v3"``; by default the known game whose view the
        saved spaces match, go at any board size), the policy class and its kwargs from their readable JSON
        form, and a zip holding anything else pickled is refused with an error naming the field.

        Args:
            game, env_kwargs: the game (and env kwargs) whose ``az_pz.envs`` view the model was trained on.
            trust: hand the file to SB3's own ``load``, which unpickles its objects and so runs any code
                they hold: only for files you trust (also the way to continue training a loaded model).
        """
        import importlib

        if algorithm not in _ALGORITHMS:
            raise ValueError(f"algorithm must be one of {sorted(_ALGORITHMS)}, got {algorithm!r}")
        path = Path(path)
        if not path.is_file():
            if not Path(f"{path}.zip").is_file():
                raise FileNotFoundError(f"no SB3 model at {path} (nor {path}.zip)")
            path = Path(f"{path}.zip")
        module, name = _ALGORITHMS[algorithm]
        algorithm_cls = getattr(importlib.import_module(module), name)
        if trust:
            agent = cls(algorithm_cls.load(str(path), device=device), **kwargs)
            agent.game = game
            return agent
        from az_pz.agents.sb3_zip import load_untrusted

        model, game = load_untrusted(algorithm_cls, path, algorithm=algorithm, game=game, env_kwargs=env_kwargs,
                                     device=device)
        agent = cls(model, **kwargs)
        agent.game = game
        return agent

    def act(self, env: Any) -> int:
        observation = env.observe(env.agent_selection)
        mask = legal_mask(env)
        model_input = self._model_input(observation)
        if self._maskable:
            action, _ = self.model.predict(model_input, action_masks=mask, deterministic=self.deterministic)
            return check_legal(env, int(np.asarray(action).reshape(-1)[0]), repr(self))
        return check_legal(env, self._masked_choice(model_input, mask), repr(self))

    def reset(self) -> None:
        """Feed-forward policies keep no per-game state."""

    def seed(self, seed: int | None) -> None:
        self.rng = np.random.default_rng(seed)
        if hasattr(self.model, "set_random_seed"):
            self.model.set_random_seed(seed)

    def _model_input(self, observation: Any) -> Any:
        """The PettingZoo observation in the model's observation space (dtype, shape, Dict keys)."""
        from gymnasium import spaces

        space = self.model.observation_space
        if isinstance(space, spaces.Dict):
            return {key: np.asarray(observation[key], dtype=space[key].dtype).reshape(space[key].shape)
                    for key in space}
        array = observation["observation"] if isinstance(observation, dict) else observation
        array = np.asarray(array)
        if array.size != int(np.prod(space.shape)):
            raise ValueError(
                f"the model expects observations of shape {space.shape}, the env gives {array.shape}: "
                "was it trained on this game?"
            )
        return array.astype(space.dtype, copy=False).reshape(space.shape)

    def _masked_choice(self, model_input: Any, mask: np.ndarray) -> int:
        """Most probable (or sampled) legal action of a policy without built-in masking."""
        import torch

        policy = self.model.policy
        with torch.no_grad():
            tensor, _ = policy.obs_to_tensor(model_input)
            probs = policy.get_distribution(tensor).distribution.probs[0].cpu().numpy()
        probs = np.where(mask[: probs.shape[0]], probs, 0.0)
        if self.deterministic or probs.sum() <= 0:
            if probs.sum() <= 0:
                probs = mask[: probs.shape[0]].astype(np.float64)
            return int(np.argmax(probs))
        probs = probs / probs.sum()
        return int(self.rng.choice(probs.shape[0], p=probs))

    def __repr__(self) -> str:
        return f"SB3Agent({type(self.model).__name__})"
