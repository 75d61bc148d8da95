#!/usr/bin/env python3
"""Calibration of a model on a labelled set, as its users see it.

usage: python3 benches/calibration.py [--model PATH] [--data data/eval.csv]

Scores every row with `draftcheck score --batch --format json` (so the
model's stored temperature applies, as in every verdict) and reports accuracy,
expected calibration error (10 equal-width bins of the verdict's probability,
as `draftcheck evaluate` computes it) and the Brier score. `evaluate` reports
the same measures for a model it trains itself, without a temperature.
"""
import argparse, csv
from pathlib import Path

from batch_scores import score_texts

ROOT = Path(__file__).resolve().parent.parent


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=str(ROOT / "models" / "drafts.json"))
    ap.add_argument("--data", default=str(ROOT / "data" / "eval.csv"))
    ap.add_argument("--binary", default=str(ROOT / "target" / "release" / "draftcheck"))
    ap.add_argument("--bins", type=int, default=10)
    a = ap.parse_args()
    with open(a.data, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    verdicts = score_texts(a.binary, a.model, [r["text"] for r in rows])
    count, conf, right = [0] * a.bins, [0.0] * a.bins, [0] * a.bins
    brier = 0.0
    for r, v in zip(rows, verdicts):
        p = v["probability"]
        b = min(int(p * a.bins), a.bins - 1)
        count[b] += 1
        conf[b] += p
        right[b] += v["label"] == r["label"]
        brier += sum((q - (1.0 if k == r["label"] else 0.0)) ** 2 for k, q in v["probabilities"].items())
    n = len(rows)
    ece = sum(count[b] / n * abs(right[b] / count[b] - conf[b] / count[b]) for b in range(a.bins) if count[b])
    print(f"{a.data}: {n} rows, accuracy {sum(right) / n:.3f}, ECE {ece:.4f}, Brier {brier / n:.4f} "
          f"(model {a.model})")


if __name__ == "__main__":
    main()
