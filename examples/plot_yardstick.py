"""Plot the perfect-play yardstick of connect four runs against training minutes, on one pair of axes.

    python examples/plot_yardstick.py OUT.png RUN_DIR[=LABEL] [RUN_DIR[=LABEL] ...]

Reads each run's ``metrics.jsonl`` (``yardstick/optimal_network`` every ``eval.yardstick_every`` iterations,
``yardstick/optimal_search`` every ``eval.yardstick_search_every``) and draws the share of optimal moves of the
network alone (solid) and with the agent's search (dashed) against ``time/total_s``.
"""

import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

if len(sys.argv) < 3:
    sys.exit(__doc__)
out = Path(sys.argv[1])
fig, ax = plt.subplots(figsize=(8, 4.5))
for spec in sys.argv[2:]:
    path, _, label = spec.partition("=")
    run = Path(path)
    rows = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines() if line.strip()]
    colour = None
    for key, style, what in (("yardstick/optimal_network", "-", "network alone"),
                             ("yardstick/optimal_search", "--", "with search")):
        points = [(r["time/total_s"] / 60, r[key]) for r in rows if key in r]
        if points:
            line, = ax.plot(*zip(*points), style, marker="o", markersize=3, color=colour,
                            label=f"{label or run.name}: {what}")
            colour = line.get_color()
ax.axhline(0.90, color="grey", linewidth=0.8, linestyle=":")
ax.axhline(0.97, color="grey", linewidth=0.8, linestyle=":")
ax.set(xlabel="training time (min)", ylabel="share of optimal moves", ylim=(0.3, 1.0),
       title="connect four: moves a perfect solver agrees with")
ax.legend(fontsize=8)
fig.tight_layout()
fig.savefig(out, dpi=100)
print(out)
