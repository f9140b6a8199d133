"""StockfishAgent ("stockfish:ELO"): Stockfish over UCI through python-chess, for ``chess_v6``.

Strength: ``elo`` at or above the engine's declared ``UCI_Elo`` minimum
(1320 in current Stockfish, 1350 in older ones) sets ``UCI_LimitStrength``
and ``UCI_Elo``; below it the engine cannot be rated, so it plays at
``Skill Level`` 0 and searches to depth 1 only (its weakest setting, not a
calibrated rating). ``skill=0..20`` chooses a Skill Level directly;
neither gives full strength.

Moves convert exactly to PettingZoo's chess actions (the chess package's notation,
:func:`az_pz.adapters.games.chess.notation.move_to_action`, also importable from here):
PettingZoo encodes moves from the mover's side, so
black's moves are mirrored first, and queen promotions are plain queen moves.
"""

from __future__ import annotations

import os
import shutil
import weakref
from pathlib import Path
from typing import Any

from az_pz.adapters.games.chess.notation import action_to_move, move_to_action  # noqa: F401 (public here too)
from az_pz.agents.base import check_legal, require_game

_SEARCH_DIRS = ("/usr/games", "/usr/local/bin", "/usr/bin", "/opt/homebrew/bin", "/usr/local/games")


def find_engine(name: str, path: str | os.PathLike | None, env_var: str, install: str) -> str:
    """Path of an engine binary: ``path``, then ``$env_var``, ``PATH``, then the usual directories (``/usr/games``)."""
    candidates = [path, os.environ.get(env_var)]
    for candidate in candidates:
        if candidate:
            if Path(candidate).is_file() and os.access(candidate, os.X_OK):
                return str(candidate)
            found = shutil.which(str(candidate))
            if found:
                return found
            raise FileNotFoundError(f"{name} binary not found at {candidate!r}")
    found = shutil.which(name)
    if found:
        return found
    for directory in _SEARCH_DIRS:
        candidate = Path(directory) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    raise FileNotFoundError(
        f"the {name} engine was not found on PATH nor in {', '.join(_SEARCH_DIRS)}. Install it "
        f"({install}) or pass its location: path='/path/to/{name}' or the {env_var} environment variable."
    )


def _quit_engine(engine: Any) -> None:
    try:
        engine.quit()
    except Exception:  # the process may already be gone
        pass


def _popen_uci_daemon(path: str) -> Any:
    """``SimpleEngine.popen_uci(path)`` whose event-loop thread is a daemon.

    python-chess runs each engine's event loop in a non-daemon thread, so a script that never
    calls ``close()`` would hang at exit (the interpreter joins non-daemon threads before any
    ``atexit`` hook could quit the engine). A thread inherits its creator's daemon flag, so the
    engine is opened from a short-lived daemon thread; the engine process ends when its stdin
    closes at exit.
    """
    import threading

    import chess.engine

    result: dict[str, Any] = {}

    def start() -> None:
        try:
            result["engine"] = chess.engine.SimpleEngine.popen_uci(path)
        except BaseException as error:  # re-raised in the caller's thread
            result["error"] = error

    opener = threading.Thread(target=start, name="az_pz-stockfish-open", daemon=True)
    opener.start()
    opener.join()
    if "error" in result:
        raise result["error"]
    return result["engine"]


class StockfishAgent:
    """Stockfish as a chess player (``chess_v6`` only).

    Args:
        elo: target rating; ``None`` for full strength (or the given ``skill``).
        skill: Skill Level 0..20 instead of an Elo.
        time_limit: seconds per move (``chess.engine.Limit(time=...)``) when not searching at depth 1.
        path: the binary (default: ``$AZ_PZ_STOCKFISH``, ``PATH``, ``/usr/games``...).
        threads, hash_mb: engine resources (small: many engines may run at once).
    """

    def __init__(
        self,
        elo: int | None = None,
        *,
        skill: int | None = None,
        time_limit: float = 0.05,
        path: str | os.PathLike | None = None,
        threads: int = 1,
        hash_mb: int = 16,
    ) -> None:
        self._engine: Any = None
        self._finalizer: Any = None
        if skill is not None and not 0 <= skill <= 20:
            raise ValueError(f"skill must be in 0..20, got {skill}")
        self.elo = elo
        """Requested rating (None: not rated)."""
        self.skill = skill
        """Requested Skill Level (None: not set)."""
        self.time_limit = time_limit
        """Seconds per move."""
        self.path = find_engine("stockfish", path, "AZ_PZ_STOCKFISH",
                                "Debian/Ubuntu: apt-get install stockfish; macOS: brew install stockfish")
        """The engine binary."""
        self._options = {"Threads": threads, "Hash": hash_mb}
        self._limit: Any = None
        if elo is not None:  # an Elo above the engine's range is refused now, not clamped under a false label
            self._start()

    def _start(self) -> Any:
        import chess.engine

        engine = _popen_uci_daemon(self.path)
        options = dict(self._options)
        limit = chess.engine.Limit(time=self.time_limit)
        if self.elo is not None:
            lowest, highest = engine.options["UCI_Elo"].min, engine.options["UCI_Elo"].max
            if self.elo > highest:
                _quit_engine(engine)
                raise ValueError(f"stockfish:{self.elo} is above this Stockfish's strongest rating (UCI_Elo "
                                 f"{lowest}..{highest}); use stockfish:{highest}, or plain stockfish for full strength")
            if self.elo >= lowest:
                options.update({"UCI_LimitStrength": True, "UCI_Elo": min(self.elo, highest)})
            else:
                options["Skill Level"] = 0
                limit = chess.engine.Limit(depth=1)
        if self.skill is not None:
            options["Skill Level"] = self.skill
        engine.configure(options)
        self._engine, self._limit = engine, limit
        # quits the engine when the agent is collected, or at interpreter exit while the engine's
        # event loop still runs (a __del__ during finalization would wait on a stopped loop)
        self._finalizer = weakref.finalize(self, _quit_engine, engine)
        return engine

    def act(self, env: Any) -> int:
        board = require_game(env, "chess_", repr(self)).board
        engine = self._engine or self._start()
        move = engine.play(board, self._limit).move
        if move is None:
            raise RuntimeError(f"Stockfish returned no move in {board.fen()}")
        return check_legal(env, move_to_action(move, not board.turn), repr(self))

    def reset(self) -> None:
        """The engine reads the full board each move: nothing to forget."""

    def close(self) -> None:
        """Stop the engine process (it is restarted on the next ``act``)."""
        finalizer = getattr(self, "_finalizer", None)
        if finalizer is not None:
            finalizer()  # runs _quit_engine once
        self._engine = self._finalizer = None

    def __enter__(self) -> "StockfishAgent":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        strength = f"elo={self.elo}" if self.elo is not None else f"skill={self.skill}"
        return f"StockfishAgent({strength})"
