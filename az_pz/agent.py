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
"""

from __future__ import annotations

import dataclasses
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import torch

from az_pz import checkpoint as ckpt
from az_pz.config import NetworkConfig, RunConfig
from az_pz.network import AlphaZeroNetwork, NetworkEvaluator, resolve_device
from az_pz.obs_checks import check_observations
from az_pz.matches.players import SearchPlayer
from az_pz.search import MCTS, SearchConfig
from az_pz.task import Task

__all__ = ["AlphaZeroAgent"]

_ZIP_FORMAT = "az_pz.agent/1"
_ZIP_ENTRY_BOUNDS = {"data.json": 16 << 20, "model.safetensors": 8 << 30}
"""Largest uncompressed size of each entry of an agent archive read (a guard against zip bombs)."""


class AlphaZeroAgent:
    """Network + MCTS. ``search.num_simulations == 0`` plays the raw network policy.

    ``evaluator``: ``"torch"`` (default), ``"onnx"`` or ``"onnx-int8"`` (onnxruntime on the CPU, see
    ``az_pz.onnx_evaluator``: faster at batch 1, for playing only).
    """

    def __init__(self, task: Task, network: AlphaZeroNetwork, *, search: SearchConfig | None = None,
                 device: str | torch.device = "auto", seed: int | None = 0, config: RunConfig | None = None,
                 evaluator: str = "torch") -> None:
        self.task = task
        self.config = config
        self.search_config = search or (config.search if config else SearchConfig())
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
             evaluator: str = "torch", **overrides: Any) -> "AlphaZeroAgent":
        """Load from a run directory (its latest checkpoint), a checkpoint directory or a ``.zip`` from ``save``.

        ``overrides`` replace search settings, e.g. ``num_simulations=200`` or ``gumbel=True``; ``task``
        is needed only for games that ``make_task`` does not know by name (custom tasks).
        """
        path = Path(path)
        if path.suffix == ".zip" or (not path.exists() and path.with_suffix(".zip").is_file()):
            archive = path if path.suffix == ".zip" else path.with_suffix(".zip")
            return cls._load_zip(archive, device, task, seed, overrides, evaluator)
        run_dir, checkpoint = ckpt.find_checkpoint(path)
        config, task_json = ckpt.read_run_config(run_dir)
        source = str(Path(run_dir) / "config.json")
        task = task if task is not None else _task_from_file(config.game, config.env_kwargs, source)
        if task.spec.to_json() != task_json:
            raise ckpt.CheckpointError(f"{run_dir} was trained on {task_json.get('name')!r}, not on the task given "
                                       f"({task.spec.name!r})")
        ckpt.read_checkpoint_state(checkpoint, task.spec)
        _check_size(task, config.network, source)
        network = AlphaZeroNetwork(task.spec, config.network)
        ckpt.load_model_weights(checkpoint / "model.safetensors", network, task.spec)
        search = _search_with(config.eval_search(), None, overrides)
        return cls(task, network, search=search, device=device, seed=seed, config=config, evaluator=evaluator)

    @classmethod
    def _load_zip(cls, path: Path, device: str, task: Task | None, seed: int | None,
                  overrides: dict[str, Any], evaluator: str = "torch") -> "AlphaZeroAgent":
        try:
            with zipfile.ZipFile(path) as archive:
                for name, bound in _ZIP_ENTRY_BOUNDS.items():
                    if archive.getinfo(name).file_size > bound:
                        raise ValueError(f"its {name} unpacks to more than {bound >> 20} MiB")
                data = json.loads(archive.read("data.json"))
                weights = archive.read("model.safetensors")
        except (zipfile.BadZipFile, KeyError, ValueError, OSError, RecursionError) as error:
            raise ckpt.CheckpointError(f"{path} is not an az_pz agent archive (truncated or foreign): {error}") from error
        if not isinstance(data, dict) or data.get("format") != _ZIP_FORMAT:
            raise ckpt.CheckpointError(f"{path} is not an az_pz agent archive (format "
                                       f"{data.get('format') if isinstance(data, dict) else None!r})")
        source = f"{path}:data.json"
        task = task if task is not None else _task_from_file(data.get("game"), data.get("env_kwargs", {}), source)
        if "task" in data and data["task"] != task.spec.to_json():  # checked before the network is built
            saved = data["task"] if isinstance(data["task"], dict) else {}
            raise ckpt.CheckpointError(f"{path} was trained for {data.get('game')!r} ({saved.get('phases')}, "
                                       f"{saved.get('num_players')} players), not for {task.spec.name!r} "
                                       f"({task.spec.to_json()['phases']}, {task.spec.num_players} players). "
                                       "Load it with its own game (task=...).")
        try:
            network_config = NetworkConfig(**data["network"])
            search_config = SearchConfig(**_tuples(data["search"]))
        except (KeyError, TypeError, ValueError) as error:
            raise ckpt.CheckpointError(f"{source} holds an invalid network or search config: {error}") from None
        _check_size(task, network_config, source)
        network = AlphaZeroNetwork(task.spec, network_config)
        ckpt.load_model_bytes(weights, network, task.spec, name=f"{path}:model.safetensors")
        search = _search_with(search_config, None, overrides)
        return cls(task, network, search=search, device=device, seed=seed, evaluator=evaluator)

    def save(self, path: str | Path) -> Path:
        """Write a single ``.zip`` (suffix added like SB3) with ``data.json`` and ``model.safetensors``."""
        path = Path(path)
        if path.suffix != ".zip":
            path = path.with_suffix(path.suffix + ".zip") if path.suffix else path.with_suffix(".zip")
        network_json = dataclasses.asdict(self.network.config)
        data = {"format": _ZIP_FORMAT, "game": self.task.spec.name, "task": self.task.spec.to_json(),
                "env_kwargs": dict(self.task.spec.env_kwargs), "network": network_json,
                "search": dataclasses.asdict(self.search_config), "versions": ckpt.versions()}
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("data.json", json.dumps(data, indent=2))
            archive.writestr("model.safetensors", ckpt.model_to_bytes(self.network, self.task.spec, network_json))
        from az_pz.io import atomic_write_bytes

        atomic_write_bytes(path, buffer.getvalue())
        return path

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
        batched, obs = self._batch(obs)
        check_observations(self.task, obs)  # NaN, infinities, boards no legal game reaches: ValueError
        masks = None if mask is None else self._masks(mask, len(obs))
        if masks is not None and not masks.any(axis=1).all():
            raise self._no_legal_action(int(np.flatnonzero(~masks.any(axis=1))[0]))
        rebuild = getattr(self.task, "state_from_observation", None) or _known_decoder(self.task)
        actions = np.empty(len(obs), np.int64)
        if rebuild is not None and self.search_config.num_simulations > 0:
            states = [rebuild(o) for o in obs]
            live = [i for i, s in enumerate(states) if not self.task.is_terminal(s)]
            if live:
                actions[live] = self.select_actions([states[i] for i in live], deterministic)
            for i in sorted(set(range(len(obs))) - set(live)):  # a finished game: nothing to search
                row_mask = masks[i] if masks is not None else np.asarray(self.task.legal_mask(states[i]), bool)
                if not row_mask.any():
                    raise self._no_legal_action(i)
                actions[i] = self._network_action(*self._chw(obs[i], row_mask), row_mask, deterministic)
            if masks is not None:
                for i in range(len(obs)):
                    if not masks[i, actions[i]]:
                        actions[i] = self._network_action(*self._chw(obs[i], masks[i]), masks[i], deterministic)
        else:
            for i in range(len(obs)):
                row_mask = masks[i] if masks is not None else None
                chw, phase = self._chw(obs[i], row_mask)
                if row_mask is None:
                    row_mask = np.ones(self.task.spec.phases[phase].num_actions, bool)
                actions[i] = self._network_action(chw, phase, row_mask, deterministic)
        return (actions if batched else actions[:1].reshape(())), None

    # ------------------------------------------------------------------ helpers

    def _no_legal_action(self, row: int) -> ValueError:
        return ValueError(f"observation {row} allows no action (its {self.task.spec.name!r} game is over or it is "
                          f"not this player's turn): there is no move to predict. In a PettingZoo loop, step None "
                          f"for a terminated or truncated agent: env.step(None).")

    def _batch(self, obs: np.ndarray) -> tuple[bool, np.ndarray]:
        """(was batched, observations ``[n, ...]``): a single observation has a phase's shape (CHW or HWC)."""
        shapes = set()
        for spec in self.task.spec.phases:
            c, h, w = spec.observation_shape
            shapes |= {(c, h, w), (h, w, c)}
        if obs.shape in shapes:
            return False, obs[None]
        if obs.ndim >= 1 and obs.shape[1:] in shapes:
            return True, obs
        raise ValueError(f"observation of shape {obs.shape} fits no phase of {self.task.spec.name!r}: this agent "
                         f"expects {sorted(shapes)} or a batch of them (is it an agent for another game?)")

    def _masks(self, mask: Any, n: int) -> np.ndarray:
        """bool ``[n, num_actions]`` from a bool/int mask ``[num_actions]`` or ``[n, num_actions]``."""
        masks = np.asarray(mask).astype(bool)
        sizes = {spec.num_actions for spec in self.task.spec.phases}
        if masks.size % max(n, 1) or masks.size // max(n, 1) not in sizes:
            raise ValueError(f"action mask of shape {np.shape(mask)} does not fit {n} observation(s) of "
                             f"{self.task.spec.name!r} (actions per phase: {sorted(sizes)})")
        return masks.reshape(n, -1)

    def _chw(self, obs: np.ndarray, mask: np.ndarray | None) -> tuple[np.ndarray, int]:
        """The observation channels-first (PettingZoo gives HWC) and its phase, matched by shape and mask size."""
        for phase, spec in enumerate(self.task.spec.phases):
            if mask is not None and len(mask) != spec.num_actions and self.task.spec.num_phases > 1:
                continue
            c, h, w = spec.observation_shape
            if obs.shape == (c, h, w):
                return obs.astype(np.float32), phase
            if obs.shape == (h, w, c):
                return np.ascontiguousarray(obs.transpose(2, 0, 1), np.float32), phase
        raise ValueError(f"observation of shape {obs.shape} fits no phase of {self.task.spec.name!r} "
                         f"({[p.observation_shape for p in self.task.spec.phases]})")

    def _network_action(self, observation: np.ndarray, phase: int, mask: np.ndarray, deterministic: bool) -> int:
        logits, _ = self.evaluator.forward(np.asarray(observation, np.float32)[None], phase)
        mask = np.asarray(mask, bool)
        scores = np.where(mask, logits[0, : len(mask)], -np.inf)
        if deterministic or not np.isfinite(scores).any():
            return int(np.argmax(scores)) if mask.any() else 0
        probs = np.exp(scores - scores.max())
        return int(self.rng.choice(len(probs), p=probs / probs.sum()))


def _known_decoder(task: Task):
    """``state_from_observation`` of a fast task whose game package has a decoder (``decoder.py``: tic-tac-toe,
    connect four, whose observation holds the whole game), else None."""
    from az_pz.adapters.games import game_of_task, game_part

    game = game_of_task(task)
    decoder = game_part(game, "decoder") if game is not None else None
    return getattr(decoder, "state_from_observation", None)


def _task_from_file(game: Any, env_kwargs: Any, source: str) -> Task:
    """:func:`az_pz.games.task_from_file` (a game name from a file is never imported), errors as CheckpointError."""
    from az_pz.games import task_from_file

    try:
        return task_from_file(game, env_kwargs, source)
    except ValueError as error:
        raise ckpt.CheckpointError(str(error)) from None


def _check_size(task: Task, network: NetworkConfig, source: str) -> None:
    """Refuse, before allocating it, a network or task out of :mod:`az_pz.bounds`."""
    from az_pz.bounds import check_network_size

    try:
        check_network_size(task.spec, network, source)
    except ValueError as error:
        raise ckpt.CheckpointError(str(error)) from None


def _tuples(data: dict[str, Any]) -> dict[str, Any]:
    return {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}


def _search_with(search: SearchConfig, eval_sims: int | None, overrides: dict[str, Any]) -> SearchConfig:
    if eval_sims is not None:
        search = dataclasses.replace(search, num_simulations=eval_sims)
    if "search" in overrides:
        search = overrides.pop("search")
    known = {f.name for f in dataclasses.fields(SearchConfig)}
    unknown = set(overrides) - known
    if unknown:
        raise ValueError(f"unknown agent overrides {sorted(unknown)}; search settings are {sorted(known)}")
    return dataclasses.replace(search, **overrides) if overrides else search
