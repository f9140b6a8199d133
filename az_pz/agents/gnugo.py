"""GnuGoAgent ("gnugo:LEVEL"): GNU Go over GTP, for ``go_v5`` at any board size.

Before each move the engine's board is brought in line with the env's game:
the moves played since the last call are sent with ``play`` (incremental),
and when the histories disagree (a new game, a different board size or komi)
the board is cleared and the whole game replayed. Coordinates convert with
an explicit board size N, never PettingZoo's module-global one
(:mod:`az_pz.adapters.games.go.notation`, its names also importable from here):
PettingZoo action ``row * N + col`` (row 0 at the top, ``N*N`` = pass) is GTP
``"ABCDEFGHJKLMNOPQRSTUVWXYZ"[col] + str(N - row)``.

PettingZoo scores go by area with every stone on the board counted alive
(Tromp-Taylor), so GNU Go runs with ``--chinese-rules --capture-all-dead``:
it removes dead stones before passing instead of leaving them to be scored.
PettingZoo has no resignation; a ``resign`` from GNU Go is played as a pass
(``resigned`` records it).
"""

from __future__ import annotations

import os
import subprocess
from typing import Any

from az_pz.adapters.games.go.notation import GTP_COLUMNS, action_to_gtp, gtp_to_action  # noqa: F401 (public here too)
from az_pz.agents.base import check_legal, legal_mask, require_game
from az_pz.agents.stockfish import find_engine

class GnuGoAgent:
    """GNU Go as a go player.

    Args:
        level: GNU Go's strength level 0..10 (10 is its default and strongest).
        path: the binary (default: ``$AZ_PZ_GNUGO``, ``PATH``, ``/usr/games``...).
        seed: GNU Go's random seed (its play is deterministic for one seed).
    """

    def __init__(self, level: int = 10, *, path: str | os.PathLike | None = None, seed: int | None = None) -> None:
        self._process: subprocess.Popen | None = None
        if not 0 <= level <= 10:
            raise ValueError(f"GNU Go levels run 0..10, got {level}")
        self.level = level
        """GNU Go's --level."""
        self.path = find_engine("gnugo", path, "AZ_PZ_GNUGO",
                                "Debian/Ubuntu: apt-get install gnugo; macOS: brew install gnu-go")
        """The engine binary."""
        self.resigned = False
        """True once GNU Go resigned in the current game (played as a pass)."""
        self._seed = seed
        self._sent: list[tuple[int, int]] = []  # (color, action) as the engine's board has them
        self._setup: tuple[int, float] | None = None  # (board size, komi) the engine's board has

    def act(self, env: Any) -> int:
        raw = require_game(env, "go_", repr(self))
        size, komi = int(raw._N), float(raw._komi)
        history = [(int(m.color), self._flat(m.move, size)) for m in raw._go.recent]
        self._sync(history, size, komi)
        color = int(raw._go.to_play)
        answer = self.command(f"genmove {'black' if color == 1 else 'white'}")
        if answer.lower() == "resign":
            self.resigned = True
            action = size * size
        else:
            action = gtp_to_action(answer, size)
            self._sent.append((color, action))
        if not legal_mask(env)[action]:  # rules differ (e.g. superko): pass; the next sync replays
            action = size * size
        return check_legal(env, action, repr(self))

    def reset(self) -> None:
        """A new game: the next ``act`` clears the engine's board."""
        self._sent, self._setup, self.resigned = [], None, False

    def seed(self, seed: int | None) -> None:
        self._seed = seed
        if self._process is not None and seed is not None:
            self.command(f"set_random_seed {int(seed)}")

    @staticmethod
    def _flat(move: tuple[int, int] | None, size: int) -> int:
        return size * size if move is None else move[0] * size + move[1]

    def _sync(self, history: list[tuple[int, int]], size: int, komi: float) -> None:
        """Make the engine's board equal the env's game, incrementally where possible."""
        if self._setup != (size, komi) or self._sent != history[: len(self._sent)]:
            self.command(f"boardsize {size}")
            self.command(f"komi {komi}")
            self.command("clear_board")
            self._sent, self._setup = [], (size, komi)
        for color, action in history[len(self._sent):]:
            self.command(f"play {'black' if color == 1 else 'white'} {action_to_gtp(action, size)}")
            self._sent.append((color, action))

    def command(self, line: str) -> str:
        """Send one GTP command; return the answer's text (RuntimeError on a ``?`` failure)."""
        process = self._process or self._start()
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(line + "\n")
        process.stdin.flush()
        lines: list[str] = []
        while True:
            reply = process.stdout.readline()
            if reply == "":
                raise RuntimeError(f"GNU Go exited while answering {line!r}")
            if reply.strip() == "" and lines:
                break
            if reply.strip():
                lines.append(reply.strip())
        text = " ".join(lines)
        if text.startswith("?"):
            raise RuntimeError(f"GNU Go refused {line!r}: {text[1:].strip()}")
        return text.lstrip("=").strip()

    def _start(self) -> subprocess.Popen:
        args = [self.path, "--mode", "gtp", "--level", str(self.level), "--chinese-rules", "--capture-all-dead"]
        if self._seed is not None:
            args += ["--seed", str(int(self._seed))]
        self._process = subprocess.Popen(
            args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1
        )
        return self._process

    def close(self) -> None:
        """Quit the engine (restarted on the next ``act``)."""
        process, self._process = self._process, None
        self._setup = None
        if process is not None:
            try:
                assert process.stdin is not None
                process.stdin.write("quit\n")
                process.stdin.flush()
                process.wait(timeout=5)
            except Exception:  # already gone or stuck: make sure it stops
                process.kill()
                process.wait()

    def __enter__(self) -> "GnuGoAgent":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        if getattr(self, "_process", None) is not None:
            self.close()

    def __repr__(self) -> str:
        return f"GnuGoAgent(level={self.level})"
