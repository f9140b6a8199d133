"""Random option values for every command: a clear error or success, never a traceback, no stray files.

Each example runs ``az_pz.cli.main`` in-process in a fresh working directory holding a file of the user's;
outputs may go only to ``run/`` (the run directory or ``--out``/``--json`` under it). Budgets stay tiny:
values that would be valid are drawn small, the rest are zeros, negatives, text, NaN and the like.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from az_pz.cli import main

SETTINGS = settings(max_examples=12, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
TEXT = st.sampled_from(["x", "", "1.5", "nan", "inf", "-inf", "1e3", "--", "0x10", "☃"])


def _number(valid: list[str], invalid: list[str]) -> st.SearchStrategy[tuple[str, bool]]:
    """``(value, valid)``: a small valid value, or an invalid one (given or text)."""
    bad = st.one_of(st.sampled_from(invalid), TEXT) if invalid else TEXT
    return st.one_of(st.sampled_from(valid).map(lambda v: (v, True)), bad.map(lambda v: (v, False)))


def _options(draw, table: dict[str, st.SearchStrategy[tuple[str, bool]]]) -> tuple[list[str], bool]:
    """A random subset of ``table``'s options with drawn values; whether every value drawn is valid."""
    argv, all_valid = [], True
    for option, values in table.items():
        if draw(st.booleans()):
            value, valid = draw(values)
            if value is None:
                continue
            argv += [option, value]
            all_valid &= valid
    return argv, all_valid


def _snapshot(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and not p.relative_to(root).parts[0] == "run"}


def _run(argv: list[str], stdin: str = "quit\n") -> tuple[int, str]:
    """Run ``az-pz ARGV`` in a fresh working directory; check the rules; return (status, stderr)."""
    with tempfile.TemporaryDirectory(prefix="az_pz_cli_") as cwd:
        root = Path(cwd)
        (root / "notes.txt").write_text("the user's file")
        (root / "data").mkdir()
        (root / "data" / "keep.json").write_text("{}")
        before = _snapshot(root)
        out, err = io.StringIO(), io.StringIO()
        old = os.getcwd()
        os.chdir(root)
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), \
                    _stdin(stdin):
                try:
                    code = main(list(argv))
                except SystemExit as stop:  # argparse: --help (0) or a usage error (2)
                    code = stop.code if isinstance(stop.code, int) else 2
        finally:
            os.chdir(old)
        text = err.getvalue()
        assert "Traceback" not in text and "Traceback" not in out.getvalue(), (argv, text)
        assert code in (0, 1, 2, 130), (argv, code, text)
        if code:
            problem = [line for line in text.splitlines() if line.startswith("az-pz") and "error" in line.lower()
                       or line.startswith("az-pz ")]
            assert problem, (argv, text)  # a line naming the command and the problem
        assert _snapshot(root) == before, (argv, "changed files outside run/")
        assert sorted(p.name for p in root.iterdir()) in (["data", "notes.txt"], ["data", "notes.txt", "run"])
        return code, text


@contextlib.contextmanager
def _stdin(text: str):
    import sys

    saved = sys.stdin
    sys.stdin = io.StringIO(text)
    try:
        yield
    finally:
        sys.stdin = saved


GAMES = st.sampled_from(["tictactoe_v3", "classic/tictactoe-v3", "connect_four_v2", "nosuch_v1", "", "chess_v6"])
AGENTS = st.sampled_from(["random", "random:3", "mcts:2", "human:xyz", "mcts:-1", "mcts:x", "alphazero:nowhere",
                          "alphazero", "nosuch:1", "random:-5", "gnugo:99", "mcts:5ms", "mcts:fastms"])
ENV = _number([None], ["foo", "=3", "board_size=9", "a=b=c", "board-size"])


@st.composite
def eval_argv(draw):
    argv, _ = _options(draw, {
        "--games": _number(["1", "2"], ["0", "-1", "-100"]), "--seed": _number(["0", "7"], ["-1", "-2"]),
        "--seat": _number(["alternate", "0", "1"], ["2", "-1", "9"]), "--env": ENV,
        "--max-moves": _number(["3", "50"], ["0", "-4"]), "--opening-moves": _number(["0", "1"], ["-1"]),
        "--opponent": AGENTS.map(lambda a: (a, True)), "--json": _number(["run/out.json"], []),
        "--movetime": _number(["5ms"], ["0ms", "50", "fastms"])})
    return ["eval", draw(GAMES), draw(AGENTS), *argv]


@st.composite
def arena_argv(draw):
    argv, _ = _options(draw, {
        "--games": _number(["1", "2"], ["0", "-3"]), "--seed": _number(["0", "1"], ["-1"]),
        "--max-moves": _number(["5"], ["0", "-1"]), "--opening-moves": _number(["0"], ["-2"]),
        "--anchor": _number(["random"], ["nobody"]), "--out": _number(["run/arena"], []), "--env": ENV,
        "--every": _number(["1"], ["0", "-1"]), "--device": _number(["cpu"], ["cuda", "cuda:3", "gpu", "mps"]),
        "--movetime": _number(["5ms"], ["0s", "-1ms", "fastms"])})
    agents = draw(st.lists(AGENTS, min_size=0, max_size=3))
    run = ["--run", draw(st.sampled_from(["nowhere", "data"]))] if draw(st.booleans()) else []
    return ["arena", draw(GAMES), *agents, *run, "--no-progress", *argv]


@st.composite
def play_argv(draw):
    argv, _ = _options(draw, {
        "--seat": _number(["0", "1", "random"], ["2", "-1", "5"]), "--games": _number(["1"], ["0", "-1"]),
        "--seed": _number(["0"], ["-1"]), "--env": ENV})
    return ["play", draw(GAMES), draw(AGENTS), *argv]


@st.composite
def info_argv(draw):
    argv, _ = _options(draw, {"--backend": _number(["auto", "fast", "pettingzoo"], ["bogus"]), "--env": ENV})
    games = draw(st.lists(GAMES.filter(bool), max_size=2))
    return ["info", *games, *argv, *(["--json"] if draw(st.booleans()) else [])]


@st.composite
def train_argv(draw):
    argv, _ = _options(draw, {
        "--iterations": _number(["0", "1"], ["-1"]), "--seed": _number(["0", "5"], ["-1", "-9"]),
        "--device": _number(["cpu"], ["cuda", "cuda:3", "gpu"]), "--env": ENV,
        "--search.num-simulations": _number(["2", "4"], ["0", "-1"]),
        "--selfplay.games-per-iteration": _number(["2"], ["0", "-2"]),
        "--train.time-limit-s": _number(["30"], ["0", "-1"]), "--train.batch-size": _number(["8"], ["0"]),
        "--selfplay.num-workers": _number(["0"], ["-1"]), "--checkpoint": _number([None], ["iter_0001"])})
    head = draw(st.sampled_from([["tictactoe_v3", "--run-dir", "run/r"], ["nosuch_v1", "--run-dir", "run/r"],
                                 ["connect_four_v2", "--run-dir", "run/r"], ["--resume", "data"],
                                 ["--resume", "nowhere"], ["tictactoe_v3", "--run-dir", "data"]]))
    tiny = ["--network.kind", "mlp", "--network.mlp-hidden", "8", "--selfplay.concurrent-games", "2",
            "--selfplay.fast-simulations", "1", "--train.min-replay-size", "4", "--eval.every", "0",
            "--iterations", "1", "--selfplay.games-per-iteration", "2", "--search.num-simulations", "2"]
    return ["train", *head, *tiny, *argv, "--quiet", "--no-final-eval"]


@st.composite
def bench_argv(draw):
    argv, valid = _options(draw, {
        "--game": _number(["tictactoe_v3"], ["nosuch_v1", "connect_four_v2"]),
        "--device": _number(["cpu"], ["cuda", "cuda:2", "tpu"]), "--threads": _number(["1"], ["0", "-1"]),
        "--seconds": _number(["0.05"], ["0", "-1", "nan"]), "--simulations": _number(["2"], ["0", "-3"]),
        "--selfplay-games": _number(["1"], ["0", "-1"])})
    assume(not valid)  # a valid configuration runs the whole benchmark: not here
    return ["bench", "--quick", *argv]


@SETTINGS
@given(eval_argv())
def test_eval_never_tracebacks(argv):
    _run(argv)


@SETTINGS
@given(arena_argv())
def test_arena_never_tracebacks(argv):
    _run(argv)


@SETTINGS
@given(play_argv())
def test_play_never_tracebacks(argv):
    _run(argv)


@SETTINGS
@given(info_argv())
def test_info_never_tracebacks(argv):
    _run(argv)


@settings(SETTINGS, max_examples=10)
@given(train_argv())
def test_train_never_tracebacks_and_writes_only_its_run_directory(argv):
    _run(argv)


@settings(SETTINGS, max_examples=8)
@given(bench_argv())
def test_bench_refuses_bad_values_in_one_line(argv):
    code, _ = _run(argv)
    assert code in (1, 2)


@pytest.mark.parametrize("argv, code, words", [
    (["eval", "tictactoe_v3", "random", "--games", "0"], 2, "--games: must be at least 1"),
    (["arena", "tictactoe_v3", "random", "random", "--games", "-1"], 2, "--games: must be at least 1"),
    (["eval", "tictactoe_v3", "random", "--seat", "2"], 2, "--seat must be"),
    (["play", "tictactoe_v3", "random", "--seat", "3"], 2, "--seat must be"),
    (["eval", "tictactoe_v3", "random", "--env", "foo"], 2, "--env expects KEY=VALUE"),
    (["eval", "tictactoe_v3", "random", "--seed", "-1"], 2, "--seed: must be at least 0"),
    (["train", "tictactoe_v3", "--run-dir", "run/r", "--seed", "-1"], 2, "seed must be >= 0"),
    (["train", "tictactoe_v3", "--run-dir", "run/r", "--env", "foo"], 2, "--env expects KEY=VALUE"),
    (["bench", "--quick", "--device", "cuda:7"], 1, "cuda:7"),
    (["eval", "tictactoe_v3", "human:xyz"], 1, "takes no argument"),
    (["eval", "connect_four_v2", "random"], 1, "connect_four_v2 is a deprecated PettingZoo env"),
    (["info", "classic/connect_four-v2"], 2, "deprecated PettingZoo env"),
])
def test_each_bad_value_is_one_line_with_the_right_status(argv, code, words):
    import torch

    if "cuda:7" in argv and torch.cuda.device_count() > 7:
        pytest.skip("this machine has a cuda:7")
    status, err = _run(argv)
    assert status == code and words in err, err
    assert len([line for line in err.splitlines() if line.strip()]) == 1, err
