"""``az-pz export``: write a trained network as ONNX, with a JSON sidecar.

    az-pz export runs/c4 --onnx c4.onnx                  # dynamic batch, opset 17
    az-pz export runs/chess --onnx chess.onnx --batch 1  # fixed batch
    az-pz export agent.zip --onnx agent.onnx --opset 18

RUN is a run directory (its latest checkpoint), a checkpoint directory or an agent .zip.
The sidecar OUT.onnx.json says how to feed the inputs and read the outputs (docs/export.md).
Needs the onnx extra: pip install "az_pz[onnx]".
"""

from __future__ import annotations

import argparse

from az_pz.cli._common import command_parser, int_at_least


def build_parser() -> argparse.ArgumentParser:
    parser = command_parser("az-pz export", __doc__)
    parser.add_argument("run", help="run directory, checkpoint directory or agent .zip")
    parser.add_argument("--onnx", metavar="OUT", required=True, help="the .onnx file to write")
    batch = parser.add_mutually_exclusive_group()
    batch.add_argument("--dynamic-batch", action="store_true", help="a dynamic batch axis (the default)")
    batch.add_argument("--batch", type=int_at_least(1), help="a fixed batch size instead")
    parser.add_argument("--opset", type=int, default=17, help="ONNX opset version (default 17)")
    parser.add_argument("--no-verify", action="store_true", help="skip the onnxruntime-vs-torch check")
    return parser


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    try:
        import onnx  # noqa: F401  (torch's exporter needs it)
        if not args.no_verify:
            import onnxruntime  # noqa: F401
    except ImportError as error:
        raise ImportError(f"{error.name} is not installed: pip install 'az_pz[onnx]' (onnx and onnxruntime)") from None
    from az_pz.export import export_onnx

    result = export_onnx(args.run, args.onnx, batch=args.batch, opset=args.opset, verify=not args.no_verify)
    sidecar = result.sidecar
    print(f"wrote {result.onnx_path} ({sidecar['game']}, batch {sidecar['batch']}, opset {sidecar['opset']}, "
          f"{sidecar['network']['parameters']:,} parameters) and {result.sidecar_path}")
    for phase in sidecar["phases"]:
        print(f"  phase {phase['index']} {phase['name']!r}: {phase['input']} float32 [B, "
              f"{', '.join(map(str, phase['observation_shape']))}] -> {phase['policy_output']} "
              f"[B, {phase['num_actions']}], {phase['value_output']} [B, {sidecar['num_players']}] (mover first)")
    if result.max_abs_error is not None:
        print(f"onnxruntime vs torch on random observations: max abs error {result.max_abs_error:.3g}")
    return 0
