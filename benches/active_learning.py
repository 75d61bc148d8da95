#!/usr/bin/env python3
"""Active learning, simulated: does labelling what `draftcheck suggest` picks
beat labelling drafts at random?

    python3 benches/active_learning.py                      # the bundled drafts
    python3 benches/active_learning.py --datasets-dir DIR   # and sms_spam

For each data set: a fixed, seeded held-out set (1,000 rows) measures
accuracy; the rest is the pool, whose labels are hidden until a draft is
picked. Starting from 100 random rows, 100 more are added each round, to
1,500, either by `suggest --n 100` (with its default 20% random share) or at
random, and a model is trained each time (`train --test-fraction 0`). Prints
both curves and the labels each needs to come within 1 point of the accuracy
of a model on the whole pool, and writes the curves as an SVG
(target/bench/active-learning.svg). Files are staged in a temporary folder.
"""
import argparse, csv, json, os, random, subprocess, sys, tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DC = ROOT / "target" / "release" / "draftcheck"


def write(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["text", "label"])
        w.writerows(rows)


def accuracy(tmp, train_rows, test_path, test_rows):
    data, model = tmp / "train.csv", tmp / "m.json"
    write(data, train_rows)
    if model.exists():
        model.unlink()
    subprocess.run([str(DC), "-q", "train", "--data", str(data), "--model", str(model), "--test-fraction", "0",
                    "--force"], check=True)
    out = subprocess.run([str(DC), "score", "--model", str(model), "--batch", str(test_path), "--format", "json"],
                         capture_output=True, text=True, check=True).stdout
    labels = [json.loads(l)["label"] for l in out.splitlines()]
    return sum(p == t for p, (_, t) in zip(labels, test_rows)) / len(test_rows), model


def simulate(name, path, tmp, seed=7):
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = [(r["text"], r["label"]) for r in csv.DictReader(f)]
    rng = random.Random(seed)
    rng.shuffle(rows)
    test, pool = rows[:1000], rows[1000:]
    test_path = tmp / f"{name}-test.csv"
    write(test_path, test)
    full, _ = accuracy(tmp, pool, test_path, test)
    curves = {}
    for how in ("suggest", "random"):
        labelled, rest = pool[:100], pool[100:]
        curve = []
        while True:
            acc, model = accuracy(tmp, labelled, test_path, test)
            curve.append((len(labelled), acc))
            if len(labelled) >= 1500:
                break
            if how == "random":
                labelled, rest = labelled + rest[:100], rest[100:]
            else:
                pool_path = tmp / "pool.csv"
                write(pool_path, rest)
                out = subprocess.run([str(DC), "suggest", "--pool", str(pool_path), "--n", "100", "--model",
                                      str(model), "--data", str(tmp / "train.csv"), "--format", "json"],
                                     capture_output=True, text=True, check=True).stdout
                picked = {json.loads(l)["row"] - 1 for l in out.splitlines()}
                labelled = labelled + [rest[i] for i in sorted(picked)]
                rest = [r for i, r in enumerate(rest) if i not in picked]
        curves[how] = curve
    return full, curves


def svg(results, path):
    w, h, pad = 720, 260 * len(results), 50
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12">',
             f'<rect width="{w}" height="{h}" fill="white"/>']
    for k, (name, (full, curves)) in enumerate(results.items()):
        top = k * 260
        accs = [a for c in curves.values() for _, a in c] + [full]
        lo, hi = min(accs) - 0.01, max(accs) + 0.01
        x = lambda n: pad + (n - 100) / 1400 * (w - 2 * pad)
        y = lambda a: top + 220 - (a - lo) / (hi - lo) * 170
        parts.append(f'<text x="{pad}" y="{top + 25}" font-size="14">{name}: accuracy on 1,000 held-out rows against labelled rows</text>')
        parts.append(f'<line x1="{pad}" y1="{y(full)}" x2="{w - pad}" y2="{y(full)}" stroke="#999" stroke-dasharray="4"/>')
        parts.append(f'<text x="{w - pad - 150}" y="{y(full) - 4}" fill="#666">whole pool {full:.3f}</text>')
        for how, colour in (("suggest", "#c0392b"), ("random", "#2980b9")):
            pts = " ".join(f"{x(n):.1f},{y(a):.1f}" for n, a in curves[how])
            parts.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="2"/>')
            last = curves[how][-1]
            parts.append(f'<text x="{x(last[0]) - 60}" y="{y(last[1]) + (14 if how == "random" else -6)}" fill="{colour}">{how}</text>')
        for n in (100, 500, 1000, 1500):
            parts.append(f'<text x="{x(n) - 10}" y="{top + 240}" fill="#444">{n}</text>')
        parts.append(f'<text x="8" y="{y(lo + 0.01):.1f}" fill="#444">{lo + 0.01:.2f}</text>')
        parts.append(f'<text x="8" y="{y(hi - 0.01):.1f}" fill="#444">{hi - 0.01:.2f}</text>')
    parts.append("</svg>")
    path.write_text("\n".join(parts))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--datasets-dir", default=os.environ.get("DRAFTCHECK_DATASETS"))
    p.add_argument("--no-build", action="store_true")
    args = p.parse_args()
    if not args.no_build:
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    sets = {"drafts": ROOT / "data" / "drafts.csv"}
    if args.datasets_dir:
        sets["sms_spam"] = Path(args.datasets_dir) / "sms_spam.csv"
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, path in sets.items():
            results[name] = simulate(name, path, Path(tmp))
    print("| data | labels | suggest | random |")
    print("| --- | --- | --- | --- |")
    for name, (full, curves) in results.items():
        for (n, a), (_, b) in zip(curves["suggest"], curves["random"]):
            if n in (100, 300, 500, 800, 1000, 1500):
                print(f"| {name} | {n} | {a:.3f} | {b:.3f} |")
        for how in ("suggest", "random"):
            reach = next((n for n, a in curves[how] if a >= full - 0.01), None)
            print(f"{name}: whole pool {full:.3f}; {how} comes within 1 point at {reach or 'more than 1500'} labels")
    out = ROOT / "target" / "bench" / "active-learning.svg"
    out.parent.mkdir(parents=True, exist_ok=True)
    svg(results, out)
    print(f"wrote {out}")


if __name__ == "__main__":
    sys.exit(main())
