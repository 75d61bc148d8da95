#!/usr/bin/env python3
"""The advice measures of benches/advice_sections.py, out of fold on training data.

usage: python3 benches/advice_cv.py [--data data/drafts.csv] [--extra MORE.csv ...]
                                    [--folds 5] [--seed 42] [-- TRAIN OPTIONS]

Splits the data's rows into stratified, seeded folds (by label and theme); for
each, trains draftcheck on the other folds (and on every --extra file, whole),
then scores the fold's desperate rows and counts, as advice_sections.py does,
gift drafts shown the gifts advice, letter drafts shown the love-letters
section, and drafts with no gift shown the gifts advice. Options after `--` go
to `draftcheck train` (the bundled model's: --ngrams 1-3 --max-iterations 200).

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
    a = ap.parse_args(argv)
    rows = read(a.data)
    extra = [r for path in a.extra for r in read(path)]
    fold = folds_of(rows, a.folds, a.seed)
    total = None
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(a.folds):
            train = [r for r, f in zip(rows, fold) if f != k] + extra
            test = [r for r, f in zip(rows, fold) if f == k and r["label"] == "desperate"]
            data, model = Path(tmp) / "train.csv", Path(tmp) / "model.json"
            write(data, train)
            model.unlink(missing_ok=True)
            run = subprocess.run([a.binary, "train", "--quiet", "--data", str(data), "--model", str(model),
                                  "--test-fraction", "0", *train_args], capture_output=True, text=True)
            if run.returncode != 0:
                sys.exit(f"fold {k + 1}: draftcheck train failed: {run.stderr}")
            counts = tally(test, score_texts(a.binary, str(model), [r["text"] for r in test]))
            total = counts if total is None else add(total, counts)
            print(f"fold {k + 1} of {a.folds} done", file=sys.stderr)
    report(total)


if __name__ == "__main__":
    main()
