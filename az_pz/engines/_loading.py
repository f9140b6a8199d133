"""The agent behind an engine, loaded while the engine already answers its protocol.

A GUI starts an engine and expects ``uciok`` within seconds, before torch is even imported; and a
damaged network file must not kill the process, only be reported through the protocol. So the
engine holds an :class:`AgentSlot`: loading runs in a thread, and the commands that need the agent
wait for it or get the load error as an :class:`EngineError`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

__all__ = ["AgentSlot", "EngineError", "load_agent"]


class EngineError(Exception):
    """A failure the engine reports through its protocol (``info string``, ``? message``) and survives."""


def load_agent(path: str, *, device: str = "auto") -> Any:
    """``AlphaZeroAgent.load`` of a run directory, a checkpoint directory or a saved ``.zip``."""
    from az_pz.agents.alphazero import AlphaZeroAgent

    return AlphaZeroAgent.load(path, device=device)


class AgentSlot:
    """An agent that is loading, loaded, or failed to load.

    Args:
        source: the agent itself, or a function returning it (run in a thread when ``background``).
        game: the task the protocol plays (``chess_v6``, ``go_v5``); another game's agent is an error.
        background: load in a thread (engines); False loads at once (tests).
    """

    def __init__(self, source: Any | Callable[[], Any], *, game: str, background: bool = True) -> None:
        self.game = game
        self._agent: Any = None
        self._error: str | None = None
        self._done = threading.Event()
        if not callable(source) or hasattr(source, "task"):
            self._accept(source)
        elif background:
            threading.Thread(target=self._load, args=(source,), name="az_pz-load", daemon=True).start()
        else:
            self._load(source)

    def _load(self, load: Callable[[], Any]) -> None:
        try:
            self._accept(load())
        except Exception as error:  # noqa: BLE001 - every failure becomes a protocol answer
            self._error = f"cannot load the agent: {type(error).__name__}: {error}"
            self._done.set()

    def _accept(self, agent: Any) -> None:
        name = agent.task.spec.name
        if name != self.game:
            self._error = f"the agent plays {name!r}; this engine plays {self.game!r}"
        else:
            self._agent = agent
        self._done.set()

    @property
    def ready(self) -> bool:
        return self._done.is_set()

    def get(self) -> Any:
        """The agent (waits while it loads); :class:`EngineError` if it could not be loaded."""
        self._done.wait()
        if self._error is not None:
            raise EngineError(self._error)
        return self._agent
