"""``AlphaZeroAgent``: a trained network plus search, as an ordinary agent.

* ``AlphaZeroAgent.load(run_dir_or_checkpoint_or_zip, device="auto", **overrides)``;
* ``act(env)`` inside a PettingZoo AEC loop, whichever seat it plays (reads the live game with
  ``task.state_from_env``; the env is not changed);
* ``select_action(state)`` on a task state;
* ``predict(observation, state=None, episode_start=None, deterministic=True, action_masks=None)``
  with Stable-Baselines3's semantics: a PettingZoo observation dict or a bare observation (plus
  ``action_masks``), batched or not; returns ``(actions, None)`` and never an illegal action. Where
  the task can rebuild its state from an observation (optional task method
  ``state_from_observation(observation) -> state``) the agent searches; otherwise it plays the
  network's masked policy;
* ``save(path)``: one ``.zip`` holding ``data.json`` (game, spec, configs, versions) and
  ``model.safetensors`` (no pickle).

Reading and writing those files is :mod:`az_pz.agents.alphazero_files`; what ``predict`` makes of its
observations, :mod:`az_pz.agents.alphazero_observations`.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
import torch

from az_pz.agents import alphazero_files as files
from az_pz.agents.alphazero_observations import as_batch, as_masks, channels_first, known_decoder, no_legal_action
from az_pz.config import RunConfig
from az_pz.matches.players import SearchPlayer
from az_pz.network import AlphaZeroNetwork, NetworkEvaluator, resolve_device
from az_pz.obs_checks import check_observations
from az_pz.search import MCTS, NO_SIMULATION_CAP, SearchConfig
from az_pz.task import Task

__all__ = ["AlphaZeroAgent"]

class AlphaZeroAgent:
    """Network + MCTS. ``search.num_simulations == 0`` plays the raw network policy.

    ``evaluator``: ``"torch"`` (default), ``"onnx"`` or ``"onnx-int8"`` (onnxruntime on the CPU, see
    ``az_pz.onnx_evaluator``: faster at batch 1, for playing only).

    ``time_per_move_s``: think this many seconds a move, with no simulation cap (an engine's "movetime";
    a Gumbel search keeps its ``num_simulations``, which its halving plans for, and the time can only cut it
    short). For both limits, whichever comes first, set ``SearchConfig(num_simulations=...,
    time_per_move_s=...)`` as ``search``.
    """

    def __init__(self, task: Task, network: AlphaZeroNetwork, *, search: SearchConfig | None = None,
                 device: str | torch.device = "auto", seed: int | None = 0, config: RunConfig | None = None,
                 evaluator: str = "torch", time_per_move_s: float | None = None) -> None:
        self.task = task
        self.config = config
        self.search_config = search or (config.search if config else SearchConfig())
        if time_per_move_s is not None:
            sims = self.search_config.num_simulations if self.search_config.gumbel else NO_SIMULATION_CAP
            self.search_config = dataclasses.replace(self.search_config, num_simulations=sims,
                                                     time_per_move_s=time_per_move_s)
        self.device = resolve_device(device)
        self.network = network.to(self.device).eval()
        if evaluator == "torch":
            self.evaluator = NetworkEvaluator(self.network, self.device)
        else:
            from az_pz.onnx_evaluator import make_evaluator

            self.evaluator = make_evaluator(evaluator, self.network, task, self.device)
        self.rng = np.random.default_rng(seed)
        self._player: SearchPlayer | None = None  # made on first search, from the evaluator and search config then

    # ------------------------------------------------------------------ loading and saving

    @classmethod
    def load(cls, path: str | Path, device: str = "auto", *, task: Task | None = None, seed: int | None = 0,
             evaluator: str = "torch", time_per_move_s: float | None = None,
             **overrides: Any) -> "AlphaZeroAgent":
        """Load from a run directory (its latest checkpoint), a checkpoint directory or a ``.zip`` from ``save``.

        ``overrides`` replace search settings, e.g. ``num_simulations=200`` or ``gumbel=True``; ``task``
        is needed only for games that ``make_task`` does not know by name (custom tasks).
        ``time_per_move_s``: thinking time per move, simulations uncapped (see the class), or capped at
        ``num_simulations`` when that is given too.
        """
        if time_per_move_s is not None and "num_simulations" in overrides:
            overrides["time_per_move_s"], time_per_move_s = time_per_move_s, None
        path = Path(path)
        if path.suffix == ".zip" or (not path.exists() and path.with_suffix(".zip").is_file()):
            archive = path if path.suffix == ".zip" else path.with_suffix(".zip")
            task, network, search = files.read_zip(archive, task, overrides)
            config = None
        else:
            task, network, search, config = files.read_run(path, task, overrides)
        return cls(task, network, search=search, device=device, seed=seed, config=config, evaluator=evaluator,
                   time_per_move_s=time_per_move_s)

    def save(self, path: str | Path) -> Path:
        """Write a single ``.zip`` (suffix added like SB3) with ``data.json`` and ``model.safetensors``."""
        return files.write_zip(path, self.task, self.network, self.search_config)

    # ------------------------------------------------------------------ playing

    def reset(self) -> None:
        """A new game starts (trees are not kept between calls anyway)."""
        if self._player is not None:
            self._player.reset()

    def seed(self, seed: int | None) -> None:
        self.rng = np.random.default_rng(seed)

    def select_actions(self, states: list[Any], deterministic: bool = True, *,
                       rng: np.random.Generator | None = None) -> np.ndarray:
        """Actions for many task states at once (one batched search, drawing on ``rng`` or the agent's own);
        int64 ``[len(states)]``."""
        if not states:
            return np.zeros(0, np.int64)
        if self.search_config.num_simulations == 0:
            return np.array([self._network_action(self.task.observe(s), self.task.phase(s),
                                                  self.task.legal_mask(s), deterministic) for s in states], np.int64)
        if self._player is None:
            self._player = SearchPlayer(self.task, self.evaluator, self.search_config)
        actions = self._player.choose(states, self.rng if rng is None else rng, deterministic)
        for i, state in enumerate(states):  # guard: never hand out an illegal action
            mask = np.asarray(self.task.legal_mask(state), bool)
            if not mask[actions[i]]:
                actions[i] = int(np.flatnonzero(mask)[0])
        return actions

    def choose(self, states: Any, rng: np.random.Generator) -> np.ndarray:
        """The ``Player`` protocol of :mod:`az_pz.matches` (``play_match``): strongest moves, searched with ``rng``."""
        return self.select_actions(list(states), rng=rng)

    @property
    def simulations_per_move(self) -> float | None:
        """Mean simulations per searched move so far (what a thinking time buys); None before the first search."""
        player = self._player
        return player.simulations / player.moves_searched if player is not None and player.moves_searched else None

    @property
    def _mcts(self) -> MCTS | None:
        """The search of the agent's player (None until something was searched)."""
        return None if self._player is None else self._player.mcts

    def select_action(self, state: Any, deterministic: bool = True) -> int:
        """The agent's move on a task state (search; the most visited action when ``deterministic``)."""
        return int(self.select_actions([state], deterministic)[0])

    def act(self, env: Any) -> int:
        """A legal action for ``env.agent_selection`` of a live PettingZoo AEC env (the env is not changed)."""
        state = self.task.state_from_env(env)
        action = self.select_action(state)
        to_env = getattr(self.task, "action_to_env", None)
        return int(to_env(state, action)) if to_env else int(action)

    def __call__(self, observation: Any, agent: str | None = None) -> int:
        """``agent(observation, agent_name)``: one action from a PettingZoo observation."""
        return int(self.predict(observation, deterministic=True)[0])

    def predict(self, observation: Any, state: Any = None, episode_start: Any = None, deterministic: bool = True,
                action_masks: np.ndarray | None = None) -> tuple[np.ndarray, None]:
        """SB3-style prediction; see the module docstring. Returns ``(actions, None)``.

        ``deterministic`` defaults to True: an agent dropped into an evaluation script plays its
        strongest move (the most visited action, or the policy's argmax) unless asked to sample.
        SB3's own default is False; ``evaluate_policy`` and the PettingZoo tutorial pass True anyway.

        An observation no game shows (NaN, infinities, for tic-tac-toe and connect four a board no legal game
        reaches: overlapping planes, floating pieces, impossible piece counts) raises ValueError saying so.

        A finished game's observation (PettingZoo still shows one to each agent before its ``env.step(None)``)
        is not searched: the answer is the network's choice among the mask's actions. A mask that allows no
        action raises ValueError: there is no move to predict.
        """
        if isinstance(observation, dict):
            obs = np.asarray(observation["observation"])
            mask = observation.get("action_mask", action_masks)
        else:
            obs, mask = np.asarray(observation), action_masks
        batched, obs = as_batch(self.task, obs)
        check_observations(self.task, obs)  # NaN, infinities, boards no legal game reaches: ValueError
        masks = None if mask is None else as_masks(self.task, mask, len(obs))
        if masks is not None and not masks.any(axis=1).all():
            raise no_legal_action(self.task, int(np.flatnonzero(~masks.any(axis=1))[0]))
        rebuild = getattr(self.task, "state_from_observation", None) or known_decoder(self.task)
        actions = np.empty(len(obs), np.int64)
        if rebuild is not None and self.search_config.num_simulations > 0:
            states = [rebuild(o) for o in obs]
            live = [i for i, s in enumerate(states) if not self.task.is_terminal(s)]
            if live:
                actions[live] = self.select_actions([states[i] for i in live], deterministic)
            for i in sorted(set(range(len(obs))) - set(live)):  # a finished game: nothing to search
                row_mask = masks[i] if masks is not None else np.asarray(self.task.legal_mask(states[i]), bool)
                if not row_mask.any():
                    raise no_legal_action(self.task, i)
                actions[i] = self._network_action(*channels_first(self.task, obs[i], row_mask), row_mask, deterministic)
            if masks is not None:
                for i in range(len(obs)):
                    if not masks[i, actions[i]]:
                        chw, phase = channels_first(self.task, obs[i], masks[i])
                        actions[i] = self._network_action(chw, phase, masks[i], deterministic)
        else:
            for i in range(len(obs)):
                row_mask = masks[i] if masks is not None else None
                chw, phase = channels_first(self.task, obs[i], row_mask)
                if row_mask is None:
                    row_mask = np.ones(self.task.spec.phases[phase].num_actions, bool)
                actions[i] = self._network_action(chw, phase, row_mask, deterministic)
        return (actions if batched else actions[:1].reshape(())), None

    # ------------------------------------------------------------------ helpers

    def _network_action(self, observation: np.ndarray, phase: int, mask: np.ndarray, deterministic: bool) -> int:
        logits, _ = self.evaluator.forward(np.asarray(observation, np.float32)[None], phase)
        mask = np.asarray(mask, bool)
        scores = np.where(mask, logits[0, : len(mask)], -np.inf)
        if deterministic or not np.isfinite(scores).any():
            return int(np.argmax(scores)) if mask.any() else 0
        probs = np.exp(scores - scores.max())
        return int(self.rng.choice(len(probs), p=probs / probs.sum()))
