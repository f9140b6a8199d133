"""Plot several runs on the same axes against training minutes: losses, and wins against rollout MCTS.

    python examples/compare_runs.py OUT.png RUN_DIR[=LABEL] [RUN_DIR[=LABEL] ...]

For ablations at equal time: each run's ``metrics.jsonl`` gives the policy loss (solid) with its target
entropy (dotted), the value loss, and the in-training win rate against az_pz's rollout MCTS
(``eval/win_rate_mcts``, a few games each, so a running mean over three evaluations is drawn as well).
"""

import json
import sys
from pathlib import Path

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

if len(sys.argv) < 3:
    sys.exit(__doc__)
fig, (policy_ax, value_ax, win_ax) = plt.subplots(1, 3, figsize=(15, 4))
for spec in sys.argv[2:]:
    path, _, label = spec.partition("=")
    rows = [json.loads(line) for line in (Path(path) / "metrics.jsonl").read_text().splitlines() if line.strip()]
    label = label or Path(path).name

    def series(key):
        return [(r["time/total_s"] / 60, r[key]) for r in rows if key in r]

    (line,) = policy_ax.plot(*zip(*series("loss/policy")), label=label)
    policy_ax.plot(*zip(*series("loss/target_entropy")), ":", color=line.get_color())
    value_ax.plot(*zip(*series("loss/value")), label=label, color=line.get_color())
    wins = series("eval/win_rate_mcts")
    if wins:
        minutes, rates = zip(*wins)
        win_ax.plot(minutes, rates, ".", color=line.get_color(), alpha=0.5)
        smooth = np.convolve(rates, np.ones(3) / 3, mode="valid") if len(rates) >= 3 else rates
        win_ax.plot(minutes[len(minutes) - len(smooth):], smooth, label=label, color=line.get_color())
policy_ax.set(xlabel="training time (min)", title="policy loss (dotted: target entropy)")
value_ax.set(xlabel="training time (min)", title="value loss")
win_ax.set(xlabel="training time (min)", ylim=(0, 1.05), title="won against rollout MCTS (in training)")
for ax in (policy_ax, value_ax, win_ax):
    ax.grid(alpha=0.3)
    ax.legend()
fig.tight_layout()
fig.savefig(sys.argv[1], dpi=110)
print(f"wrote {sys.argv[1]}")
