"""Plot a run's training curve (losses and win rates against time) from its metrics.jsonl.

    python examples/plot_training.py RUN_DIR [OUT.png]
"""

import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

run = Path(sys.argv[1])
out = Path(sys.argv[2]) if len(sys.argv) > 2 else run / "training_curve.png"
rows = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines() if line.strip()]
minutes = [r["time/total_s"] / 60 for r in rows]

fig, (loss_ax, win_ax) = plt.subplots(1, 2, figsize=(11, 4))
for key in ("loss/policy", "loss/value"):
    points = [(m, r[key]) for m, r in zip(minutes, rows) if key in r]
    if points:
        loss_ax.plot(*zip(*points), label=key)
loss_ax.set(xlabel="training time (min)", ylabel="loss", title="losses")
loss_ax.legend()
for key, label in (("eval/win_rate_random", "won vs random"), ("eval/win_rate_mcts", "won vs rollout MCTS"),
                   ("eval/loss_rate_mcts", "lost vs rollout MCTS")):
    points = [(m, r[key]) for m, r in zip(minutes, rows) if key in r]
    if points:
        win_ax.plot(*zip(*points), marker="o", label=label)
win_ax.set(xlabel="training time (min)", ylabel="rate", ylim=(-0.02, 1.02), title=f"evaluation ({run.name})")
win_ax.legend()
fig.tight_layout()
fig.savefig(out, dpi=100)
print(out)
