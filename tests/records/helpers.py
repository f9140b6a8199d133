"""Real games for the record tests: random play through the arena, kept by a GameRecorder."""

from __future__ import annotations

from pathlib import Path

from az_pz.matches import evaluate
from az_pz.records import GameRecord, GameRecorder, read_jsonl


def recorded_games(directory: Path, game: str, n_games: int = 2, **kwargs) -> list[GameRecord]:
    """Play ``n_games`` random games of ``game`` with a recorder in ``directory``; return the JSON records."""
    recorder = GameRecorder(directory)
    evaluate("random", "random", game, n_games=n_games, seed=3, recorder=recorder, **kwargs)
    assert recorder.count == n_games
    return list(read_jsonl(recorder.jsonl_path))
