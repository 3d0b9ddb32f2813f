#!/usr/bin/env python3
"""Draws a soak's samples.tsv as curves: the daemon's footprint and load over time.

    plot.py SAMPLES.tsv VERDICT.json OUT.png

RSS and descriptors, the two judged figures, get the allowed band (reference +/- limit) after
warm-up; the dashed line marks the end of warm-up. Needs matplotlib (Debian: python3-matplotlib).
"""
import csv
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)


def rates(rows, column):
    """Per-second increase of a counter column between samples (the first sample has none)."""
    result = [float("nan")]
    for before, after in zip(rows, rows[1:]):
        seconds = float(after["elapsed_s"]) - float(before["elapsed_s"])
        result.append((int(after[column]) - int(before[column])) / seconds if seconds > 0 else float("nan"))
    return result


def main(samples_path, verdict_path, png_path):
    with open(samples_path, newline="") as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t") if r["phase"] in ("warmup", "load")]
    with open(verdict_path) as f:
        verdict = json.load(f)
    minutes = [float(r["elapsed_s"]) / 60 for r in rows]
    warmup = verdict["warmup_s"] / 60
    limit = verdict["limit_percent"] / 100
    # (title, {label: values}, reference for the allowed band or None)
    panels = [
        ("RSS (MiB)", {"": [int(r["rss_kib"]) / 1024 for r in rows]}, verdict["reference"].get("RSS")),
        ("open descriptors", {"": [int(r["fds"]) for r in rows]}, verdict["reference"].get("descriptors")),
        ("threads", {"": [int(r["threads"]) for r in rows]}, None),
        ("GC heap (MiB)", {"": [int(r["gc_heap_bytes"]) / 1048576 for r in rows]}, None),
        ("daemon CPU (% of one core)", {"": [float(r["cpu_pct"]) for r in rows]}, None),
        ("daemon threads waiting for a CPU (% of one core)", {"": [float(r["runq_wait_pct"]) for r in rows]}, None),
        ("connections open", {"": [int(r["connections_open"]) for r in rows]}, None),
        ("steady deliveries per second", {"": rates(rows, "received")}, None),
        ("steady delivery latency (ms, per sample)", {
            "p99": [float(r["latency_p99_ms"]) for r in rows],
            "max": [float(r["latency_max_ms"]) for r in rows]}, None),
        ("machine load average (1 min, 2 CPUs)", {"": [float(r["load_avg"]) for r in rows]}, None),
        ("churn connections started per second", {"": rates(rows, "churn_started")}, None),
    ]
    fig, axes = plt.subplots(6, 2, figsize=(12, 19), sharex=True)
    for ax, (title, series, reference) in zip(axes.flat, panels):
        for label, values in series.items():
            ax.plot(minutes, [v if v >= 0 else float("nan") for v in values], linewidth=1.2, label=label or None)
        if len(series) > 1:
            ax.legend(loc="upper right")
        ax.axvline(warmup, color="grey", linestyle="--", linewidth=1)
        if reference is not None:
            after = [warmup, max(minutes)]
            ax.fill_between(after, reference * (1 - limit), reference * (1 + limit), color="green", alpha=0.12)
            ax.plot(after, [reference, reference], color="green", linewidth=0.8)
        ax.set_title(title)
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    for ax in axes.flat[len(panels):]:
        ax.set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel("minutes since the load started")
    outcome = "PASS" if verdict["passed"] else "FAIL"
    fig.suptitle(f"FleckChat soak: {outcome} (dashed: end of warm-up; band: reference \u00b1{verdict['limit_percent']:.0f} %)")
    fig.tight_layout(rect=(0, 0, 1, 0.98))
    fig.savefig(png_path, dpi=100)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
