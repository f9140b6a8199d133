"""A small GTP referee: two go engines play each other, PettingZoo's rules keep the score.

    python -m az_pz.engines.referee --black "az-pz gtp runs/go9" \\
        --white "gnugo --mode gtp --level 1 --chinese-rules --capture-all-dead" --size 9 --games 4

The referee sets both boards up (``boardsize``, ``komi``, ``clear_board``), asks the side to move
for ``genmove`` and passes the answer to the other side with ``play``, until two passes in a row, a
resignation, a move the rules refuse, or the move limit. Every move is also played on the fast go
task, so the game's PettingZoo result (area score, komi to white, a tie to white) is known; the
``scorer`` engine's ``final_score`` (GNU Go's, say) is asked for too, to compare. With ``--games N``
the engines swap colours after each game. (gogui-twogtp does the same job with more options.)
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
from dataclasses import dataclass, field

from az_pz.adapters.games.go.notation import gtp_to_action

__all__ = ["GtpProcess", "RefereeGame", "play_gtp_game"]


class GtpFailure(RuntimeError):
    """An engine answered ``? message`` or died."""


class GtpProcess:
    """A GTP engine in a child process; :meth:`send` returns the answer's text."""

    def __init__(self, command: list[str] | str, name: str | None = None) -> None:
        self.command = shlex.split(command) if isinstance(command, str) else list(command)
        self.process = subprocess.Popen(self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, text=True, bufsize=1)
        self.name = name or self.send("name")

    def send(self, command: str) -> str:
        """Send one command; the answer without ``=`` (GtpFailure on ``?`` or a dead engine)."""
        assert self.process.stdin is not None and self.process.stdout is not None
        try:
            self.process.stdin.write(command + "\n")
            self.process.stdin.flush()
        except BrokenPipeError:
            raise GtpFailure(f"{self.command[0]} is gone (sending {command!r})") from None
        lines: list[str] = []
        while True:
            line = self.process.stdout.readline()
            if line == "":
                raise GtpFailure(f"{self.command[0]} exited while answering {command!r}")
            if line.strip() == "":
                if lines:
                    break
                continue
            lines.append(line.rstrip("\n"))
        text = "\n".join(lines)
        if text.startswith("?"):
            raise GtpFailure(f"{self.command[0]} refused {command!r}: {text[1:].strip()}")
        return text[1:].strip()

    def close(self) -> None:
        try:
            self.send("quit")
        except (GtpFailure, OSError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> GtpProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass(frozen=True)
class RefereeGame:
    """One refereed game."""

    black: str
    white: str
    moves: list[tuple[str, str]] = field(default_factory=list)
    """``(colour "B"/"W", vertex)`` in order (``pass`` included)."""
    end: str = "passes"
    """``passes``, ``resign``, ``illegal`` (a move the rules refuse loses) or ``move limit``."""
    winner: str | None = None
    """``B`` or ``W``; None after the move limit."""
    score: float | None = None
    """PettingZoo's final score, black's area minus white's minus komi (games ended by passes)."""
    scorer_result: str | None = None
    """The scorer engine's ``final_score`` (``B+3.5``, ``W+0.5``, ``0``), if one was asked."""

    @property
    def scorer_winner(self) -> str | None:
        """``B``/``W`` of the scorer's result (a jigo counts for white, as in PettingZoo)."""
        if not self.scorer_result:
            return None
        return self.scorer_result[0].upper() if self.scorer_result[0] in "BbWw" else "W"


def play_gtp_game(black: GtpProcess, white: GtpProcess, *, size: int, komi: float = 7.5,
                  max_moves: int | None = None, scorer: GtpProcess | None = None) -> RefereeGame:
    """Play one game (see the module docstring); ``scorer`` is one of the two engines, or None."""
    from az_pz.adapters.games.go.task import make_go_task

    task = make_go_task(board_size=size, komi=komi)
    for engine in (black, white):
        engine.send(f"boardsize {size}")
        engine.send(f"komi {komi}")
        engine.send("clear_board")
    state = task.initial_state()
    players, colors = (black, white), ("B", "W")
    moves: list[tuple[str, str]] = []
    limit = max_moves if max_moves is not None else 4 * size * size
    end, winner = "move limit", None
    while len(moves) < limit:
        seat = task.to_play(state)
        answer = players[seat].send(f"genmove {'black' if seat == 0 else 'white'}").lower()
        if answer == "resign":
            end, winner = "resign", colors[1 - seat]
            break
        try:
            action = gtp_to_action(answer, size)
            state, _ = task.step(state, action)
        except (ValueError, IndexError):
            end, winner = "illegal", colors[1 - seat]
            moves.append((colors[seat], answer))
            break
        moves.append((colors[seat], answer))
        players[1 - seat].send(f"play {'black' if seat == 0 else 'white'} {answer}")
        if task.is_terminal(state):
            end, winner = "passes", "B" if task.returns(state)[0] > 0 else "W"
            break
    score = task.area_score(state) if end == "passes" else None
    scorer_result = scorer.send("final_score") if scorer is not None else None
    return RefereeGame(black=black.name, white=white.name, moves=moves, end=end, winner=winner, score=score,
                       scorer_result=scorer_result)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m az_pz.engines.referee", description=__doc__.split("\n\n")[0])
    parser.add_argument("--black", required=True, help="command of the engine playing black in the first game")
    parser.add_argument("--white", required=True, help="command of the other engine")
    parser.add_argument("--size", type=int, default=9, help="board size (default 9)")
    parser.add_argument("--komi", type=float, default=7.5, help="komi (default 7.5)")
    parser.add_argument("--games", type=int, default=2, help="games, colours swapped after each (default 2)")
    parser.add_argument("--max-moves", type=int, default=None, help="stop a game after this many moves")
    parser.add_argument("--scorer", choices=("black", "white", "none"), default="white",
                        help="which engine (of the first game's colours) answers final_score (default white)")
    args = parser.parse_args(argv)
    first, second = GtpProcess(args.black), GtpProcess(args.white)
    if first.name == second.name:
        first.name, second.name = f"{first.name} [1]", f"{second.name} [2]"
    points = {first.name: 0.0, second.name: 0.0}
    try:
        for game in range(args.games):
            black, white = (first, second) if game % 2 == 0 else (second, first)
            scorer = {"black": first, "white": second, "none": None}[args.scorer]
            result = play_gtp_game(black, white, size=args.size, komi=args.komi, max_moves=args.max_moves,
                                   scorer=scorer)
            if result.winner:
                points[black.name if result.winner == "B" else white.name] += 1
            score = "" if result.score is None else f" score {result.score:+g}"
            check = f", scorer says {result.scorer_result}" if result.scorer_result else ""
            print(f"game {game + 1}: {black.name} (B) vs {white.name} (W): {result.winner or '-'} wins by "
                  f"{result.end} after {len(result.moves)} moves{score}{check}", flush=True)
    finally:
        first.close()
        second.close()
    print(", ".join(f"{name}: {value:g}" for name, value in points.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
