"""Run configs as JSON and with fields replaced: what ``config.json`` stores, and the overrides of presets,
the command line and ``Trainer.resume`` (``section__field=value``)."""

from __future__ import annotations

import dataclasses
from typing import Any

from az_pz.config.schema import EvalConfig, NetworkConfig, RunConfig, SearchConfig, SelfPlayConfig, TrainConfig

__all__ = ["config_from_json", "config_to_json", "replace_nested"]


def config_to_json(config: RunConfig) -> dict[str, Any]:
    """A JSON-ready dict of the config (nested sections as dicts)."""
    data = dataclasses.asdict(config)
    data["selfplay"].pop("num_workers", None)  # deprecated, always folded into backend + workers
    return data


def config_from_json(data: dict[str, Any]) -> RunConfig:
    """Inverse of :func:`config_to_json`; unknown keys raise a ``ValueError`` naming them."""
    sections = {"network": NetworkConfig, "search": SearchConfig, "selfplay": SelfPlayConfig,
                "train": TrainConfig, "eval": EvalConfig}
    kwargs: dict[str, Any] = {}
    top = {f.name for f in dataclasses.fields(RunConfig)}
    for key, value in data.items():
        if key not in top:
            raise ValueError(f"unknown config key {key!r}")
        if key in sections:
            known = {f.name for f in dataclasses.fields(sections[key])}
            unknown = set(value) - known
            if unknown:
                raise ValueError(f"unknown config keys in section {key!r}: {sorted(unknown)}")
            # JSON turns tuples (e.g. search.value_bounds) into lists; give them back their type.
            kwargs[key] = sections[key](**{k: tuple(v) if isinstance(v, list) else v for k, v in value.items()})
        else:
            kwargs[key] = value
    return RunConfig(**kwargs)


def replace_nested(config: RunConfig, **overrides: Any) -> RunConfig:
    """``config`` with fields replaced. Keys: a top-level field (``seed=1``), a section given as a dict or
    dataclass (``search={"num_simulations": 64}``), or ``section__field`` (``search__num_simulations=64``)."""
    top: dict[str, Any] = {}
    nested: dict[str, dict[str, Any]] = {}
    for key, value in overrides.items():
        section, _, name = key.partition("__")
        if name:
            nested.setdefault(section, {})[name] = value
        elif isinstance(value, dict) and dataclasses.is_dataclass(getattr(config, key, None)):
            nested.setdefault(key, {}).update(value)
        else:
            top[key] = value
    for section, values in nested.items():
        current = getattr(config, section, None)
        if not dataclasses.is_dataclass(current):
            raise ValueError(f"unknown config section {section!r}")
        known = {f.name for f in dataclasses.fields(current)}
        unknown = set(values) - known
        if unknown:
            raise ValueError(f"unknown fields for {section!r}: {sorted(unknown)}")
        top[section] = dataclasses.replace(current, **values)
    unknown = set(top) - {f.name for f in dataclasses.fields(RunConfig)}
    if unknown:
        raise ValueError(f"unknown config fields: {sorted(unknown)}")
    return dataclasses.replace(config, **top)
