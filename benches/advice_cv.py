#!/usr/bin/env python3
"""The advice measures of benches/advice_sections.py, out of fold on training data.

usage: python3 benches/advice_cv.py [--data data/drafts.csv] [--extra MORE.csv ...]
                                    [--folds 5] [--seed 42] [--gift-curve] [-- TRAIN OPTIONS]

Splits the data's rows into stratified, seeded folds (by label and theme); for
each, trains draftcheck on the other folds (and on every --extra file, whole),
then scores the fold's rows (their verdicts' accuracy is reported: with --extra,
on the data's rows alone) and counts on its desperate rows, as advice_sections.py does,
gift drafts shown the gifts advice, letter drafts shown the love-letters
section, and drafts with no gift shown the gifts advice. Options after `--` go
to `draftcheck train` (the bundled model's: --ngrams 1-3 --max-iterations 200).

With --gift-curve, it also shows what the gift theme's threshold trades: for
each threshold, the share of gift drafts called desperate with a gift
probability at or over it (shown the gifts advice, if the themes alone chose
it), against the share of desperate drafts with no gift over it; and the most
gift drafts any threshold reaches while at most 5% of the no-gift drafts are
over it.

It measures the themes on the training data alone, so that a change to the data
or the theme model can be judged without touching the held-out sets. The folds'
models are trained in a temporary directory with no eval.csv beside them.
"""
import argparse, csv, random, subprocess, sys, tempfile
from collections import defaultdict
from pathlib import Path

from advice_sections import add, report, tally
from batch_scores import score_texts

ROOT = Path(__file__).resolve().parent.parent


def read(path: str) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write(path: Path, rows: list[dict]):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["text", "label", "theme"])
        w.writerows([r["text"], r["label"], r.get("theme", "")] for r in rows)


def folds_of(rows: list[dict], k: int, seed: int) -> list[int]:
    """Each row's fold: rows of each (label, theme) dealt round-robin after a
    seeded shuffle."""
    groups = defaultdict(list)
    for i, r in enumerate(rows):
        groups[(r["label"], r.get("theme", ""))].append(i)
    rng = random.Random(seed)
    fold = [0] * len(rows)
    for key in sorted(groups):
        members = groups[key]
        rng.shuffle(members)
        for j, i in enumerate(members):
            fold[i] = j % k
    return fold


def main():
    argv = sys.argv[1:]
    train_args = []
    if "--" in argv:
        cut = argv.index("--")
        argv, train_args = argv[:cut], argv[cut + 1:]
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(ROOT / "data" / "drafts.csv"))
    ap.add_argument("--extra", action="append", default=[])
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--binary", default=str(ROOT / "target" / "release" / "draftcheck"))
    ap.add_argument("--gift-curve", action="store_true",
                    help="show the gift theme's threshold trade-off out of fold")
    a = ap.parse_args(argv)
    rows = read(a.data)
    extra = [r for path in a.extra for r in read(path)]
    fold = folds_of(rows, a.folds, a.seed)
    total = None
    right = scored = 0
    # (the row has a gift, the verdict is desperate, its gift probability).
    gift_points = []
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(a.folds):
            train = [r for r, f in zip(rows, fold) if f != k] + extra
            held = [r for r, f in zip(rows, fold) if f == k]
            data, model = Path(tmp) / "train.csv", Path(tmp) / "model.json"
            write(data, train)
            model.unlink(missing_ok=True)
            run = subprocess.run([a.binary, "train", "--quiet", "--data", str(data), "--model", str(model),
                                  "--test-fraction", "0", *train_args], capture_output=True, text=True)
            if run.returncode != 0:
                sys.exit(f"fold {k + 1}: draftcheck train failed: {run.stderr}")
            every = score_texts(a.binary, str(model), [r["text"] for r in held])
            right += sum(v.get("label") == r["label"].strip() for r, v in zip(held, every))
            scored += len(held)
            test = [r for r in held if r["label"].strip() == "desperate"]
            verdicts = [v for r, v in zip(held, every) if r["label"].strip() == "desperate"]
            counts = tally(test, verdicts)
            for r, v in zip(test, verdicts):
                gift = [t["probability"] for t in v.get("themes", []) if t["theme"] == "gift"]
                chosen = [t["chosen"] for t in v.get("themes", []) if t["theme"] == "gift"]
                gift_points.append(("gift" in [t.strip().lower() for t in r.get("theme", "").split(";")],
                                    v.get("label") == "desperate", gift[0] if gift else 0.0,
                                    bool(chosen and chosen[0])))
            total = counts if total is None else add(total, counts)
            print(f"fold {k + 1} of {a.folds} done", file=sys.stderr)
    print(f"verdicts out of fold: {right} of {scored} right ({right / max(scored, 1):.4f})")
    report(total)
    if a.gift_curve:
        gift_curve(gift_points)


def gift_curve(points: list[tuple[bool, bool, float, bool]]):
    """The gift theme's threshold trade-off over (has a gift, called
    desperate, gift probability, gift chosen at the fold model's threshold)
    points."""
    gifts = sum(g for g, _, _, _ in points)
    others = len(points) - gifts
    def at(t):
        hit = sum(g and d and p >= t for g, d, p, _ in points)
        wrong = sum(not g and d and p >= t for g, d, p, _ in points)
        return hit / max(gifts, 1), wrong / max(others, 1)
    hit = sum(g and d and c for g, d, _, c in points)
    wrong = sum(not g and d and c for g, d, _, c in points)
    print(f"gift theme threshold, out of fold ({gifts} gift drafts, {others} with no gift):")
    print(f"  at the folds' own thresholds: gift drafts {100 * hit / max(gifts, 1):.1f}%, "
          f"no-gift drafts {100 * wrong / max(others, 1):.1f}%")
    for t in [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]:
        hit, wrong = at(t)
        print(f"  {t:.2f}: gift drafts {100 * hit:.1f}%, no-gift drafts {100 * wrong:.1f}%")
    # Lower the threshold draft by draft (highest probability first) while at
    # most 5% of the no-gift drafts are over it.
    best, hit, wrong = (0.0, 0.0), 0, 0
    flags = sorted(((p, g) for g, d, p, _ in points if d), reverse=True)
    for i, (p, g) in enumerate(flags):
        hit, wrong = hit + g, wrong + (not g)
        if i + 1 < len(flags) and flags[i + 1][0] == p:
            continue  # a threshold cuts between distinct probabilities
        if wrong / max(others, 1) <= 0.05:
            best = (hit / max(gifts, 1), wrong / max(others, 1))
    print(f"  most gift drafts with at most 5% of the no-gift drafts: {100 * best[0]:.1f}% "
          f"(no-gift {100 * best[1]:.1f}%)")


if __name__ == "__main__":
    main()
