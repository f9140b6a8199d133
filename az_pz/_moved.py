"""Deprecated aliases for names that moved: a module-level ``__getattr__`` that warns once per use.

A module that moved keeps a shim at its old path for one release::

    import az_pz.matches as _new
    __getattr__ = moved("az_pz.arena", _new)

``from az_pz.arena import evaluate`` then still works and emits a DeprecationWarning naming the new home.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any


def moved(old: str, new: ModuleType, renamed: Mapping[str, tuple[ModuleType, str]] | None = None
          ) -> Callable[[str], Any]:
    """A module ``__getattr__`` for the shim ``old``: names resolve in ``new`` (or ``renamed[name]``) with a warning."""
    renamed = dict(renamed or {})

    def __getattr__(name: str) -> Any:
        module, target = renamed.get(name, (new, name))
        if name.startswith("__") or not hasattr(module, target):
            raise AttributeError(f"module {old!r} has no attribute {name!r}")
        warnings.warn(f"{old}.{name} moved to {module.__name__}.{target}; the name {old}.{name} goes in the next "
                      "release", DeprecationWarning, stacklevel=2)
        return getattr(module, target)

    return __getattr__
