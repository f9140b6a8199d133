"""Does onnxruntime evaluate az_pz networks faster than torch on this CPU?

    python examples/bench_onnx.py                       # connect four and chess presets, batches 1 64 256
    python examples/bench_onnx.py --games chess_v6 --batches 1 --rounds 9 --threads 2

For each game's preset network (random weights, random batch-norm statistics) it times, in
interleaved rounds so that a busy machine slows every contender alike:

* ``torch``: ``NetworkEvaluator.forward``, what the search calls (numpy in and out, batch norm
  folded into the convolutions, inference mode);
* ``ort fp32``: the ``az-pz export`` graph in onnxruntime (all graph optimisations);
* ``ort int8 dyn``: the same graph after ``onnxruntime.quantization.quantize_dynamic`` (int8 weights);
* ``ort int8 static``: ``quantize_static`` (QDQ, per-channel int8 weights and activations,
  calibrated on real positions of random games).

It prints evaluations/s (median over rounds) and the ratio to torch at each batch, and how far
each int8 model's outputs drift from fp32 on real positions (max |value| error, policy top-1
agreement).

    python examples/bench_onnx.py --arena runs/c4 --arena-games 40 --simulations 64

plays the strength check instead: the trained agent with ``evaluator="onnx-int8"`` against itself
with ``evaluator="onnx"`` (fp32), seats alternated, pairs of games from random openings.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import torch


def _network(game: str):
    from az_pz.config import preset
    from az_pz.games import make_task
    from az_pz.network import AlphaZeroNetwork

    torch.manual_seed(0)
    task = make_task(game)
    network = AlphaZeroNetwork(task.spec, preset(game).network)
    for module in network.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_mean.uniform_(-0.5, 0.5)
            module.running_var.uniform_(0.5, 2.0)
    return task, network.eval()


def _sessions(path: Path, calibration: np.ndarray, threads: int) -> dict:
    import onnxruntime as ort
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_dynamic, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    class _Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self.batches = iter([{"observation": calibration[i:i + 16]} for i in range(0, len(calibration), 16)])

        def get_next(self):
            return next(self.batches, None)

    prepared = path.with_name("prepared.onnx")
    quant_pre_process(str(path), str(prepared))
    dynamic, static = path.with_name("int8_dynamic.onnx"), path.with_name("int8_static.onnx")
    quantize_dynamic(str(prepared), str(dynamic), weight_type=QuantType.QInt8)
    quantize_static(str(prepared), str(static), _Reader(), quant_format=QuantFormat.QDQ, per_channel=True,
                    activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8)
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return {name: ort.InferenceSession(str(p), options, providers=["CPUExecutionProvider"])
            for name, p in (("ort fp32", path), ("ort int8 dyn", dynamic), ("ort int8 static", static))}


def _rate(call, batch: np.ndarray, seconds: float) -> float:
    call(batch)  # warm-up
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        call(batch)
        count += 1
    return count * len(batch) / elapsed


def bench_game(game: str, batches: list[int], rounds: int, seconds: float, threads: int) -> None:
    from az_pz.export import export_onnx
    from az_pz.network import NetworkEvaluator
    from az_pz.onnx_evaluator import random_game_observations

    task, network = _network(game)
    evaluator = NetworkEvaluator(network, "cpu")
    real = random_game_observations(task, 512)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{game}.onnx"
        export_onnx(network, path, task=task)
        sessions = _sessions(path, real[:128], threads)
        contenders = {"torch": lambda x: evaluator.forward(x, 0)}
        for name, session in sessions.items():
            contenders[name] = lambda x, s=session: s.run(None, {"observation": x})
        params = sum(p.numel() for p in network.parameters())
        print(f"\n{game}: preset network {network.config.num_blocks} blocks x {network.config.channels} channels "
              f"({params:,} parameters), {threads} thread(s), median of {rounds} interleaved rounds")
        print(f"{'batch':>5}  " + "  ".join(f"{n:>16}" for n in contenders) + "   (evaluations/s; ratio to torch)")
        for size in batches:
            batch = np.ascontiguousarray(real[np.arange(size) % len(real)])
            rates: dict[str, list[float]] = {n: [] for n in contenders}
            for _ in range(rounds):
                for name, call in contenders.items():
                    rates[name].append(_rate(call, batch, seconds))
            medians = {n: statistics.median(r) for n, r in rates.items()}
            cells = [f"{medians[n]:>8,.0f} ({medians[n] / medians['torch']:.2f}x)" for n in contenders]
            print(f"{size:>5}  " + "  ".join(f"{c:>16}" for c in cells))
        logits, values = evaluator.forward(real[128:384], 0)
        for name in ("ort int8 dyn", "ort int8 static"):
            q_logits, q_values = sessions[name].run(None, {"observation": real[128:384]})
            agree = float(np.mean(q_logits.argmax(1) == logits.argmax(1)))
            print(f"{name}: max |value - fp32| {np.abs(q_values - values).max():.3f}, "
                  f"mean {np.abs(q_values - values).mean():.3f}; policy top-1 agreement {agree:.1%} (256 positions)")


def arena(run: str, games: int, simulations: int, opening_moves: int) -> None:
    from az_pz.agents.alphazero import AlphaZeroAgent
    from az_pz.matches import round_robin

    agents = {kind: AlphaZeroAgent.load(run, device="cpu", evaluator=kind, num_simulations=simulations)
              for kind in ("onnx", "onnx-int8")}
    game = agents["onnx"].task.spec.name
    start = time.perf_counter()
    result = round_robin(game, agents, games_per_pair=games, opening_moves=opening_moves, anchor="onnx",
                         **dict(agents["onnx"].task.spec.env_kwargs))
    print(f"\n{game}: {run}, {simulations} simulations per move, {games} games, {opening_moves} random opening "
          f"moves per pair of games ({time.perf_counter() - start:.0f} s)")
    print(result.table())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--games", nargs="+", default=["connect_four_v3", "chess_v6"])
    parser.add_argument("--batches", nargs="+", type=int, default=[1, 64, 256])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=0.5, help="per measurement")
    parser.add_argument("--threads", type=int, default=1, help="torch and onnxruntime intra-op threads")
    parser.add_argument("--arena", metavar="RUN", help="play int8 against fp32 with this trained agent instead")
    parser.add_argument("--arena-games", type=int, default=40)
    parser.add_argument("--simulations", type=int, default=64, help="with --arena: simulations per move")
    parser.add_argument("--opening-moves", type=int, default=4, help="with --arena: random moves opening each pair")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    import onnxruntime

    print(f"torch {torch.__version__}, onnxruntime {onnxruntime.__version__}")
    if args.arena:
        arena(args.arena, args.arena_games, args.simulations, args.opening_moves)
        return
    for game in args.games:
        bench_game(game, args.batches, args.rounds, args.seconds, args.threads)


if __name__ == "__main__":
    main()
