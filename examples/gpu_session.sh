#!/usr/bin/env bash
# One short GPU session, prepared so that the device minutes go to measuring and training:
# the CUDA tests, a throughput benchmark, a time-limited go 9x9 run with the GPU preset, and its
# evaluation. Every figure lands in $OUT (default runs/gpu).
#
#   bash examples/gpu_session.sh [TRAIN_MINUTES]       # default 5
#   DEVICE=cpu bash examples/gpu_session.sh 1          # a dry run of the same commands on a CPU
set -euo pipefail

MINUTES=${1:-5}
DEVICE=${DEVICE:-cuda}
OUT=${OUT:-runs/gpu}
mkdir -p "$OUT"

python -c "import az_pz" 2>/dev/null || pip install -q -e ".[test]"
python - <<'EOF' | tee "$OUT/device.txt"
import torch
print("torch", torch.__version__, "cuda", torch.cuda.is_available(),
      torch.cuda.get_device_name(0) if torch.cuda.is_available() else "-", "cores", __import__("os").cpu_count())
EOF

if [ "$DEVICE" = cuda ]; then
    pytest -q -m cuda -p no:cacheprovider 2>&1 | tail -5 | tee "$OUT/cuda_tests.txt"
fi

# Throughput: network evaluations/s per batch, search simulations/s, self-play games/hour.
for game in go_v5 chess_v6; do
    az-pz bench --game "$game" --device "$DEVICE" --quick --json "$OUT/bench_$game.json" | tee "$OUT/bench_$game.txt"
done

# Training: the go 9x9 GPU preset (6x96, 128 simulations, eight self-play workers sharing the device).
extra=()
if [ "$DEVICE" = cpu ]; then  # a dry run: the same commands, tiny sizes
    extra=(--selfplay.games-per-iteration 8 --selfplay.concurrent-games 8 --search.num-simulations 16
           --selfplay.fast-simulations 4
           --selfplay.num-workers 2 --train.batch-size 64 --train.min-replay-size 64)
fi
az-pz train go_v5 --env.board-size 9 --gpu-preset --device "$DEVICE" --run-dir "$OUT/go9" \
    --train.time-limit-s $((MINUTES * 60)) --eval.every 0 --no-final-eval "${extra[@]}" | tee "$OUT/train_go9.txt"

az-pz eval go_v5 "alphazero:$OUT/go9" --opponent random --games 50 --env board_size=9 \
    --json "$OUT/eval_go9_random.json" | tee "$OUT/eval_go9.txt"
if command -v gnugo >/dev/null || [ -x /usr/games/gnugo ]; then
    az-pz arena go_v5 "alphazero:$OUT/go9" gnugo:1 --env board_size=9 --games 10 --out "$OUT/arena_go9" \
        | tee "$OUT/arena_go9.txt"
fi
echo "figures in $OUT"
