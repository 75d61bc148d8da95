#!/usr/bin/env python3
"""Calibration of a model on a labelled set, as its users see it.

usage: python3 benches/calibration.py [--model PATH] [--data data/eval.csv]
                                     [--bins 10] [--draws 2000] [--target 0.03]

Scores every row with `draftcheck score --batch --format json` (so the
model's stored temperature applies, as in every verdict) and reports accuracy,
expected calibration error (10 equal-width bins of the verdict's probability,
as `draftcheck evaluate` computes it) and the Brier score. `evaluate` reports
the same measures for a model it trains itself, without a temperature.

ECE on a small set is noisy, and it is not zero even for probabilities that are
exactly right: with 180 drafts, a bin holds a handful and its accuracy moves by
whole drafts. So the report also gives, from seeded draws, the ECE a
perfectly calibrated model would show on this set: each verdict made right
with exactly its stated probability (its mean, 95% of draws below, how often
it exceeds --target, 0.03 by default, and how often it reaches the measured
ECE). A bootstrap over the rows would not do: resampling thins the bins and
pushes the ECE up, so its interval sits above the estimate.
Accuracy comes with a 95% Wilson interval.
"""
import argparse, csv, random
from pathlib import Path

from batch_scores import score_texts

ROOT = Path(__file__).resolve().parent.parent


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=str(ROOT / "models" / "drafts.json"))
    ap.add_argument("--data", default=str(ROOT / "data" / "eval.csv"))
    ap.add_argument("--binary", default=str(ROOT / "target" / "release" / "draftcheck"))
    ap.add_argument("--bins", type=int, default=10)
    ap.add_argument("--target", type=float, default=0.03, help="an ECE bound: how often exact probabilities exceed it")
    ap.add_argument("--draws", type=int, default=2000, help="seeded draws for the two ECE intervals")
    a = ap.parse_args()
    with open(a.data, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    verdicts = score_texts(a.binary, a.model, [r["text"] for r in rows])
    brier = 0.0
    for r, v in zip(rows, verdicts):
        brier += sum((q - (1.0 if k == r["label"] else 0.0)) ** 2 for k, q in v["probabilities"].items())
    n = len(rows)
    probs = [v["probability"] for v in verdicts]
    right = [v["label"] == r["label"] for r, v in zip(rows, verdicts)]
    measured = ece(probs, right, a.bins)
    low, high = wilson(sum(right), n)
    print(f"{a.data}: {n} rows, accuracy {sum(right) / n:.3f} (95% Wilson interval {low:.3f} to {high:.3f}), "
          f"ECE {measured:.4f}, "
          f"Brier {brier / n:.4f} (model {a.model})")
    if a.draws > 0:
        rng = random.Random(42)
        null = sorted(ece(probs, [rng.random() < p for p in probs], a.bins) for _ in range(a.draws))
        q = lambda xs, f: xs[min(int(f * len(xs)), len(xs) - 1)]
        print(f"  if every probability were exactly right: ECE {sum(null) / len(null):.4f} on average, "
              f"95% of {a.draws} draws below {q(null, 0.95):.4f}, "
              f"{sum(x > a.target for x in null) / len(null):.0%} above {a.target}, "
              f"{sum(x >= measured for x in null) / len(null):.0%} at the measured ECE or above")


def wilson(hits: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval of a proportion (95% at z = 1.96)."""
    if n == 0:
        return 0.0, 1.0
    p = hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * ((p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5) / (1 + z * z / n)
    return centre - half, centre + half


def ece(probs: list[float], right: list[bool], bins: int) -> float:
    """Expected calibration error: equal-width bins of the verdict's probability."""
    count, conf, hits = [0] * bins, [0.0] * bins, [0] * bins
    for p, r in zip(probs, right):
        b = min(int(p * bins), bins - 1)
        count[b] += 1
        conf[b] += p
        hits[b] += r
    n = len(probs)
    return sum(count[b] / n * abs(hits[b] / count[b] - conf[b] / count[b]) for b in range(bins) if count[b])


if __name__ == "__main__":
    main()
