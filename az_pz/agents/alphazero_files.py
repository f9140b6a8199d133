"""Reading and writing :class:`~az_pz.agents.alphazero.AlphaZeroAgent` files: run directories, checkpoints, ``.zip``.

A ``.zip`` from ``save`` holds ``data.json`` (game, task spec, configs, versions) and ``model.safetensors``
(no pickle); its entries are size-checked before they are unpacked. Every check runs before the network is built,
so a foreign or oversized file is refused with a :class:`~az_pz.checkpoint.CheckpointError` saying why.
"""

from __future__ import annotations

import dataclasses
import io
import json
import zipfile
from pathlib import Path
from typing import Any

from az_pz import checkpoint as ckpt
from az_pz.config import NetworkConfig, RunConfig
from az_pz.network import AlphaZeroNetwork
from az_pz.search import SearchConfig
from az_pz.task import Task

ZIP_FORMAT = "az_pz.agent/1"
"""The ``format`` of an agent archive's ``data.json`` (kept as first written: files in the wild carry it)."""
ZIP_ENTRY_BOUNDS = {"data.json": 16 << 20, "model.safetensors": 8 << 30}
"""Largest uncompressed size of each entry of an agent archive read (a guard against zip bombs)."""


def read_run(path: Path, task: Task | None, overrides: dict[str, Any]
             ) -> tuple[Task, AlphaZeroNetwork, SearchConfig, RunConfig]:
    """(task, network, search settings, run config) from a run directory (its latest checkpoint) or a checkpoint."""
    run_dir, checkpoint = ckpt.find_checkpoint(path)
    config, task_json = ckpt.read_run_config(run_dir)
    source = str(Path(run_dir) / "config.json")
    task = task if task is not None else task_from_file(config.game, config.env_kwargs, source)
    if task.spec.to_json() != task_json:
        raise ckpt.CheckpointError(f"{run_dir} was trained on {task_json.get('name')!r}, not on the task given "
                                   f"({task.spec.name!r})")
    ckpt.read_checkpoint_state(checkpoint, task.spec)
    check_size(task, config.network, source)
    network = AlphaZeroNetwork(task.spec, config.network)
    ckpt.load_model_weights(checkpoint / "model.safetensors", network, task.spec)
    return task, network, search_with(config.eval_search(), None, overrides), config


def read_zip(path: Path, task: Task | None, overrides: dict[str, Any]
             ) -> tuple[Task, AlphaZeroNetwork, SearchConfig]:
    """(task, network, search settings) from a ``.zip`` written by :func:`write_zip`."""
    try:
        with zipfile.ZipFile(path) as archive:
            for name, bound in ZIP_ENTRY_BOUNDS.items():
                if archive.getinfo(name).file_size > bound:
                    raise ValueError(f"its {name} unpacks to more than {bound >> 20} MiB")
            data = json.loads(archive.read("data.json"))
            weights = archive.read("model.safetensors")
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, RecursionError) as error:
        raise ckpt.CheckpointError(f"{path} is not an az_pz agent archive (truncated or foreign): {error}") from error
    if not isinstance(data, dict) or data.get("format") != ZIP_FORMAT:
        raise ckpt.CheckpointError(f"{path} is not an az_pz agent archive (format "
                                   f"{data.get('format') if isinstance(data, dict) else None!r})")
    source = f"{path}:data.json"
    task = task if task is not None else task_from_file(data.get("game"), data.get("env_kwargs", {}), source)
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
    check_size(task, network_config, source)
    network = AlphaZeroNetwork(task.spec, network_config)
    ckpt.load_model_bytes(weights, network, task.spec, name=f"{path}:model.safetensors")
    return task, network, search_with(search_config, None, overrides)


def write_zip(path: str | Path, task: Task, network: AlphaZeroNetwork, search: SearchConfig) -> Path:
    """Write one ``.zip`` (suffix added like SB3) with ``data.json`` and ``model.safetensors``, atomically."""
    path = Path(path)
    if path.suffix != ".zip":
        path = path.with_suffix(path.suffix + ".zip") if path.suffix else path.with_suffix(".zip")
    network_json = dataclasses.asdict(network.config)
    data = {"format": ZIP_FORMAT, "game": task.spec.name, "task": task.spec.to_json(),
            "env_kwargs": dict(task.spec.env_kwargs), "network": network_json,
            "search": dataclasses.asdict(search), "versions": ckpt.versions()}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(data, indent=2))
        archive.writestr("model.safetensors", ckpt.model_to_bytes(network, task.spec, network_json))
    from az_pz.atomic_files import atomic_write_bytes

    atomic_write_bytes(path, buffer.getvalue())
    return path


def task_from_file(game: Any, env_kwargs: Any, source: str) -> Task:
    """:func:`az_pz.games.task_from_file` (a game name from a file is never imported), errors as CheckpointError."""
    from az_pz.games import task_from_file as read_task

    try:
        return read_task(game, env_kwargs, source)
    except ValueError as error:
        raise ckpt.CheckpointError(str(error)) from None


def check_size(task: Task, network: NetworkConfig, source: str) -> None:
    """Refuse, before allocating it, a network or task out of :mod:`az_pz.bounds`."""
    from az_pz.bounds import check_network_size

    try:
        check_network_size(task.spec, network, source)
    except ValueError as error:
        raise ckpt.CheckpointError(str(error)) from None


def _tuples(data: dict[str, Any]) -> dict[str, Any]:
    return {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}


def search_with(search: SearchConfig, eval_sims: int | None, overrides: dict[str, Any]) -> SearchConfig:
    """``search`` with the agent's overrides (search field names, or a whole ``search=`` config) applied."""
    if eval_sims is not None:
        search = dataclasses.replace(search, num_simulations=eval_sims)
    if "search" in overrides:
        search = overrides.pop("search")
    known = {f.name for f in dataclasses.fields(SearchConfig)}
    unknown = set(overrides) - known
    if unknown:
        raise ValueError(f"unknown agent overrides {sorted(unknown)}; search settings are {sorted(known)}")
    return dataclasses.replace(search, **overrides) if overrides else search
