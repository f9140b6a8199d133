"""``az-pz train``: train an agent by self-play.

    az-pz train connect_four_v3
    az-pz train tictactoe_v3 --iterations 20 --search.num-simulations 64 --run-dir runs/ttt
    az-pz train --resume runs/ttt --iterations 40
    az-pz train go_v5 --gpu-preset --env-kwargs board_size 9 --device cuda

Every field of the run config is an option, mapped 1:1 (``--section.field-name``); the game's
preset gives the defaults (``az-pz train GAME --help`` shows them). Prints one line per iteration
(losses, self-play games/s and simulations/s, win rates against random and a rollout MCTS) and
evaluates at the end.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys


def _head_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="az-pz train", add_help=False)
    parser.add_argument("game", nargs="?", help="PettingZoo game, e.g. connect_four_v3 or classic/connect_four-v3")
    parser.add_argument("--resume", metavar="RUN_DIR", help="continue this run from its latest checkpoint")
    parser.add_argument("--run-dir", metavar="DIR", help="where the run is written (default runs/GAME-TIMESTAMP)")
    parser.add_argument("--iterations", type=int, help="shorthand for --train.iterations")
    parser.add_argument("--gpu-preset", action="store_true", help="the GPU-sized preset (chess, go)")
    parser.add_argument("--no-final-eval", action="store_true", help="skip the evaluation at the end")
    parser.add_argument("--quiet", action="store_true", help="no progress bars or per-iteration lines")
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

    head, rest = _head_parser().parse_known_args(argv)
    if head.help and not head.game and not head.resume:
        print(_usage())
        return 0
    if head.resume:
        from az_pz.checkpoint import read_run_config

        default = read_run_config(head.resume)[0]
    elif head.game:
        env_kwargs = _peek_env_kwargs(rest)
        default = preset(head.game, gpu=head.gpu_preset, **({"env_kwargs": env_kwargs} if env_kwargs else {}))
    else:
        print("az-pz train: give a GAME (e.g. tictactoe_v3) or --resume RUN_DIR\n\n" + _usage(), file=sys.stderr)
        return 2
    if head.help:
        rest = ["--help"]
    config = tyro.cli(RunConfig, default=default, args=rest, prog=f"az-pz train {head.game or '--resume RUN'}")
    if head.iterations is not None:
        config = dataclasses.replace(config, train=dataclasses.replace(config.train, iterations=head.iterations))
    return _run(config, head)


def _peek_env_kwargs(rest: list[str]) -> dict:
    """``--env-kwargs board_size 13`` decides which go preset applies, so read it before the presets."""
    if "--env-kwargs" not in rest:
        return {}
    import json

    start = rest.index("--env-kwargs") + 1
    values = []
    for item in rest[start:]:
        if item.startswith("--"):
            break
        values.append(item)
    out = {}
    for key, value in zip(values[::2], values[1::2]):
        try:
            out[key] = json.loads(value)
        except ValueError:
            out[key] = value
    return out


def _run(config, head) -> int:
    from az_pz.checkpoint import CheckpointError
    from az_pz.train import Trainer

    progress = not head.quiet
    try:
        if head.resume:
            trainer = Trainer.resume(head.resume, config=config, progress=progress)
        else:
            trainer = Trainer(config, run_dir=head.run_dir, progress=progress)
    except CheckpointError as error:
        print(f"az-pz train: {error}", file=sys.stderr)
        return 1
    if head.distributed != "local":  # self-play in Ray actors feeding this learner
        from az_pz.distributed import config_from_cli, distribute

        try:
            distribute(trainer, config_from_cli(head))
        except (ImportError, ValueError) as error:
            print(f"az-pz train: {error}", file=sys.stderr)
            return 2
    print(f"run directory: {trainer.run_dir}  (device {trainer.device}, game {trainer.spec.name}, "
          f"starting after iteration {trainer.iteration})")
    try:
        trainer.learn()
    except KeyboardInterrupt:
        print(f"\ninterrupted; continue with: az-pz train --resume {trainer.run_dir}", file=sys.stderr)
        return 130
    if not head.no_final_eval:
        final = trainer.final_evaluation()
        if head.quiet:
            print(" ".join(f"{k}={v:.3f}" for k, v in final.items()))
    print(f"done: {trainer.iteration} iterations in {trainer.counters['seconds']:.0f}s; "
          f"checkpoints in {trainer.run_dir / 'checkpoints'}")
    return 0
