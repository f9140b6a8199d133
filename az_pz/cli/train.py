"""``az-pz train``: train an agent by self-play.

    az-pz train connect_four_v3
    az-pz train tictactoe_v3 --iterations 20 --search.num-simulations 64 --run-dir runs/ttt
    az-pz train --resume runs/ttt --iterations 40
    az-pz train --resume runs/ttt --checkpoint iter_0010     # fork from an earlier checkpoint
    az-pz train go_v5 --env.board-size 9
    az-pz train go_v5 --gpu-preset --env.board-size 19 --device cuda

Every field of the run config is an option, mapped 1:1 (``--section.field-name``); the game's
preset gives the defaults (``az-pz train GAME --help`` shows them). Prints one line per iteration
(losses, self-play games/s and simulations/s, win rates against random and a rollout MCTS) and
evaluates at the end.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys


def _head_parser(with_game: bool = True) -> argparse.ArgumentParser:
    from az_pz.cli._common import Parser, int_at_least

    parser = Parser(prog="az-pz train", add_help=False)
    if with_game:
        parser.add_argument("game", nargs="?", help="PettingZoo game, e.g. connect_four_v3 or classic/connect_four-v3")
    parser.add_argument("--resume", metavar="RUN_DIR",
                        help="continue this run from its latest checkpoint. The LR schedule spans "
                             "--train.iterations (and --train.time-limit-s): extending them on resume moves the "
                             "schedule back, so a decayed learning rate jumps up (see docs/training.md)")
    parser.add_argument("--run-dir", metavar="DIR",
                        help="where the run is written (default runs/GAME-TIMESTAMP): a new or empty directory. "
                             "With --resume --checkpoint: the new directory the run forks into")
    parser.add_argument("--checkpoint", metavar="NAME",
                        help="with --resume: start from this earlier checkpoint (e.g. iter_0040); the run forks into "
                             "a new directory (--run-dir, default RUN_DIR-from-NAME) and RUN_DIR stays as it was")
    parser.add_argument("--iterations", type=int_at_least(0), help="shorthand for --train.iterations")
    parser.add_argument("--gpu-preset", action="store_true", help="the GPU-sized preset (chess, go)")
    parser.add_argument("--no-final-eval", action="store_true", help="skip the evaluation at the end")
    parser.add_argument("--quiet", action="store_true", help="no progress bars or per-iteration lines")
    parser.add_argument("--warm-start", nargs="+", metavar="RECORDS",
                        help="before self-play, learn from recorded games: .jsonl (any game), .pgn (chess), "
                             ".sgf (go) files or folders (see docs/warm_start.md)")
    parser.add_argument("--init-from", metavar="RUN", help="start the network from another run's newest checkpoint")
    parser.add_argument("--replay-from", metavar="RUN", help="start with another run's replay buffer")
    parser.add_argument("--pretrain-epochs", type=float, default=2.0, metavar="E",
                        help="passes over the recorded positions before self-play (default 2)")
    parser.add_argument("--max-record-games", type=int, metavar="N", help="use at most N recorded games")
    parser.add_argument("--pretrain-only", action="store_true",
                        help="prepare the run from --warm-start/--init-from/--replay-from and stop before "
                             "self-play (what az-pz pretrain does); continue with --resume")
    parser.add_argument("-h", "--help", action="store_true")
    from az_pz.distributed.config import add_cli_arguments  # --distributed ray --ray-address --workers (no Ray import)

    add_cli_arguments(parser)
    return parser


def _usage() -> str:
    return (__doc__ or "").strip() + "\n\nrun options: " + " ".join(
        f"[{a.option_strings[0]}{' ' + a.metavar if a.metavar else ''}]" if a.option_strings else "GAME"
        for a in _head_parser()._actions)


def main(argv: list[str]) -> int:
    import tyro

    from az_pz.config import RunConfig, preset

    argv, env_kwargs = _pop_env_kwargs(list(argv))
    # GAME comes first; parsed without a positional, the value of an option meant for tyro
    # (``--resume RUN --train.time-limit-s 600``) is never taken for the game.
    game = argv[0] if argv and not argv[0].startswith("-") else None
    head, rest = _head_parser(with_game=False).parse_known_args(argv[1:] if game else argv)
    head.game = game
    if head.help and not head.game and not head.resume:
        print(_usage())
        return 0
    if head.resume:
        from az_pz.checkpoint import CheckpointError, read_run_config

        try:
            default = read_run_config(head.resume)[0]
        except CheckpointError as error:
            print(f"az-pz train: {error}", file=sys.stderr)
            return 1
        problem = _resume_conflict(head, default)
        if problem:
            print(f"az-pz train: {problem}", file=sys.stderr)
            return 2
        if env_kwargs:  # Trainer.resume refuses a change with a clear message
            default = dataclasses.replace(default, env_kwargs={**default.env_kwargs, **env_kwargs})
    elif head.checkpoint:
        print("az-pz train: --checkpoint needs --resume RUN_DIR (the run the checkpoint belongs to)", file=sys.stderr)
        return 2
    elif head.game:
        default = preset(head.game, gpu=head.gpu_preset, **({"env_kwargs": env_kwargs} if env_kwargs else {}))
    else:
        print("az-pz train: give a GAME (e.g. tictactoe_v3) or --resume RUN_DIR\n\n" + _usage(), file=sys.stderr)
        return 2
    if head.help:
        rest = ["--help"]
    prog = f"az-pz train {head.game or '--resume RUN'}"
    config = _tyro_one_line(lambda: tyro.cli(RunConfig, default=default, args=rest, prog=prog), prog)
    if isinstance(config, int):
        return config
    from az_pz.cli._common import check_device

    check_device(config.device, "--device")
    if config.selfplay.worker_device == "cuda":
        check_device("cuda", "--selfplay.worker-device")
    if head.iterations is not None:
        config = dataclasses.replace(config, train=dataclasses.replace(config.train, iterations=head.iterations))
    return _run(config, head)


def _tyro_one_line(parse, prog: str):
    """``parse()``'s config, or, for a bad option, the exit status after one line naming the problem (tyro
    draws a box over many lines; the box's text is kept, the frame and the help pointer dropped)."""
    import contextlib
    import io

    captured = io.StringIO()
    try:
        with contextlib.redirect_stderr(captured):
            return parse()
    except SystemExit as stop:
        if not stop.code:  # --help
            sys.stderr.write(captured.getvalue())
            return 0
        words = []
        for line in captured.getvalue().splitlines():
            text = line.strip().strip("│╭╮╰╯─ ").strip()
            if text and not text.startswith(("For full helptext", "Usage", "usage")):
                words.append(" ".join(text.split()))
        print(f"{prog}: error: {' '.join(words) or 'bad options'} (see {prog} --help)", file=sys.stderr)
        return int(stop.code) if isinstance(stop.code, int) else 2
    except ValueError as error:  # a value the config refuses (RunConfig's checks): usage, status 2
        print(f"{prog}: error: {' '.join(str(error).split())}", file=sys.stderr)
        return 2


def _resume_conflict(head, stored) -> str | None:
    """Why ``--resume RUN`` disagrees with a GAME or ``--run-dir`` given beside it (None: they agree)."""
    from pathlib import Path

    from az_pz.config import canonical_name

    if head.game:
        try:
            game = canonical_name(head.game)
        except (ValueError, LookupError):
            game = head.game
        if game != stored.game:
            return (f"--resume {head.resume} is a {stored.game} run, but the game given is {head.game}; "
                    f"drop the game (az-pz train --resume {head.resume}) or start a new run")
    if head.run_dir and not head.checkpoint and Path(head.run_dir).resolve() != Path(head.resume).resolve():
        return (f"--run-dir {head.run_dir} differs from --resume {head.resume}: a resumed run stays in its directory "
                f"(to continue from a checkpoint in a new directory: az-pz train --resume {head.resume} "
                f"--checkpoint iter_XXXX --run-dir {head.run_dir})")
    return None


def _pop_env_kwargs(rest: list[str]) -> tuple[list[str], dict]:
    """Take the env's keyword arguments out of ``rest``: they decide which preset applies (go's board size),
    so they are read before the presets. Accepted spellings: ``--env.board-size 9``, ``--env.board_size=9``,
    ``--env-kwargs.board-size 9``, ``--env board_size=9`` (as in ``az-pz arena``) and
    ``--env-kwargs board_size 9 komi 6.5``. Values are read as JSON when they parse."""
    import json

    from az_pz.cli._common import UsageError

    def value(text: str):
        try:
            return json.loads(text)
        except ValueError:
            return text

    kept: list[str] = []
    out: dict = {}
    i = 0
    while i < len(rest):
        item = rest[i]
        name, eq, inline = item.partition("=")
        if name.startswith(("--env.", "--env-kwargs.")):
            key = name.split(".", 1)[1].replace("-", "_")
            if not key.replace("_", "").isalnum():
                raise UsageError(f"{name}: expected --env.KEY VALUE with KEY a keyword of the env, got {item!r}")
            if eq:
                out[key] = value(inline)
            elif i + 1 < len(rest) and not rest[i + 1].startswith("--"):
                out[key] = value(rest[i + 1])
                i += 1
            else:
                raise UsageError(f"{name} needs a value (e.g. {name} 9)")
        elif name in ("--env", "--env-kwargs"):
            pairs = [inline] if eq else []
            while i + 1 < len(rest) and not rest[i + 1].startswith("--"):
                pairs.append(rest[i + 1])
                i += 1
            for pair in pairs:
                if "=" in pair:
                    key, _, text = pair.partition("=")
                    out[key.replace("-", "_")] = value(text)
            plain = [p for p in pairs if "=" not in p]
            bad = [p for p in pairs if "=" in p and not p.partition("=")[0].replace("-", "").replace("_", "").isalnum()]
            if bad or len(plain) % 2 or not pairs:
                raise UsageError(f"{name} expects KEY=VALUE pairs (e.g. {name} board_size=9), got "
                                 f"{' '.join(pairs) or 'nothing'}")
            out.update({k.replace("-", "_"): value(v) for k, v in zip(plain[::2], plain[1::2])})
        else:
            kept.append(item)
        i += 1
    return kept, out


def _run(config, head) -> int:
    from az_pz.checkpoint import CheckpointError
    from az_pz.train import Trainer

    progress = not head.quiet
    ray = None
    if head.distributed != "local":  # the shorthand of --selfplay.backend ray --selfplay.workers N
        from az_pz.config import replace_nested
        from az_pz.distributed import config_from_cli

        try:
            ray = config_from_cli(head)
            config = replace_nested(config, selfplay__backend="ray", selfplay__workers=ray.workers)
        except ValueError as error:
            print(f"az-pz train: {error}", file=sys.stderr)
            return 2
    from az_pz.yardstick.training import yardstick_callbacks

    callbacks = yardstick_callbacks(config)  # eval.yardstick_*: perfect-play figures (connect four only)
    try:
        if head.resume:
            trainer = Trainer.resume(head.resume, config=config, progress=progress, checkpoint=head.checkpoint,
                                     fork_to=head.run_dir if head.checkpoint else None, ray=ray,
                                     callbacks=callbacks)
        else:
            trainer = Trainer(config, run_dir=head.run_dir, progress=progress, ray=ray, callbacks=callbacks)
    except ImportError as error:  # selfplay.backend ray without the ray extra
        print(f"az-pz train: {error}", file=sys.stderr)
        return 2
    except CheckpointError as error:
        print(f"az-pz train: {error}", file=sys.stderr)
        return 1
    except OSError as error:  # a read-only or full run directory: nothing of the run changed
        print(_write_error(error, head.resume or head.run_dir), file=sys.stderr)
        return 1
    if _warm_start_asked(head):
        code = _warm_start(trainer, head)
        if code is not None:
            return code
    print(f"run directory: {trainer.run_dir}  (device {trainer.device}, game {trainer.spec.name}, "
          f"starting after iteration {trainer.iteration})", flush=True)
    from az_pz.cli._signals import stop_on_signals
    from az_pz.selfplay.processes import WorkerDiedError

    with stop_on_signals() as stopped:
        try:
            trainer.learn()
            if not head.no_final_eval:
                final = trainer.final_evaluation()
                if head.quiet:
                    print(" ".join(f"{k}={v:.3f}" for k, v in final.items()))
        except KeyboardInterrupt:
            trainer.close()
            print(f"\n{stopped.reason or 'interrupted'}; {_kept(trainer)}continue with: "
                  f"az-pz train --resume {trainer.run_dir}", file=sys.stderr)
            return 128 + stopped.signum
        except WorkerDiedError as error:
            trainer.close()
            print(f"az-pz train: {error}", file=sys.stderr)
            return 1
        except OSError as error:  # disk full, read-only or permission denied: the save left `latest` as it was
            trainer.close()
            print(_write_error(error, trainer.run_dir, _kept(trainer)), file=sys.stderr)
            return 1
    print(f"done: {trainer.iteration} iterations in {trainer.counters['seconds']:.0f}s; "
          f"checkpoints in {trainer.run_dir / 'checkpoints'}")
    return 0


def _write_error(error: OSError, run_dir, kept: str = "") -> str:
    """One line for a write that failed (disk full, read-only, permission denied), naming the file."""
    return (f"az-pz train: cannot write {error.filename or run_dir}: {error.strerror or error}; {kept}"
            f"free space or fix the permissions, then: az-pz train --resume {run_dir}")


def _kept(trainer) -> str:
    """'the last complete checkpoint is iter_0007; ' (or nothing before the first)."""
    try:
        name = (trainer.run_dir / "checkpoints" / "latest").read_text().strip()
    except (OSError, UnicodeDecodeError):
        return ""
    return f"the last complete checkpoint is {name}; " if name else ""


def _warm_start_asked(head) -> bool:
    return bool(head.warm_start or head.init_from or head.replay_from or head.pretrain_only)


def _warm_start(trainer, head) -> int | None:
    """Prepare a new run from records or other runs (az_pz.warmstart); an exit code ends the command."""
    from az_pz.warmstart import WarmStart, warm_start

    if head.resume:
        trainer.close()
        print("az-pz train: --warm-start, --init-from, --replay-from and --pretrain-only begin a new run; "
              f"drop them to continue {head.resume}", file=sys.stderr)
        return 2
    try:
        options = WarmStart(records=tuple(head.warm_start or ()), init_from=head.init_from,
                            replay_from=head.replay_from, epochs=head.pretrain_epochs,
                            max_games=head.max_record_games)
        warm_start(trainer, options)
    except (ValueError, OSError) as error:
        trainer.close()
        print(f"az-pz train: {error}", file=sys.stderr)
        return 1
    if head.pretrain_only:
        trainer.close()
        print(f"prepared {trainer.run_dir}; continue with self-play: az-pz train --resume {trainer.run_dir}")
        return 0
    return None
