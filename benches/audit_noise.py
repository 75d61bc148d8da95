#!/usr/bin/env python3
"""How well `draftcheck audit` finds label mistakes: flip a share of the labels
at random (seeded), run `audit --top k` (k = the number flipped) and count how
many of the flipped rows it lists.

    python3 benches/audit_noise.py                       # the bundled drafts
    python3 benches/audit_noise.py --datasets-dir DIR    # also sms_spam and airline_tweets

Each flipped row gets another label picked at random. The last column is a
bound: the same ranking made by models trained (out of fold) on the right
labels, which no audit of the noisy file can be expected to beat by much. Files are written to a
temporary folder, never to the repository. Uses target/release/draftcheck
(built with `cargo build --release` unless --no-build).
"""
import argparse, csv, json, os, random, subprocess, sys, tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DRAFTCHECK = ROOT / "target" / "release" / "draftcheck"


def measure(path: Path, share: float, seed: int, tmp: Path, extra: list[str],
            oracle: list[dict[str, float]]) -> tuple[int, int, float]:
    rows = read_rows(path)
    labels = sorted({l for _, l in rows})
    rng = random.Random(seed)
    flipped = set(rng.sample(range(len(rows)), round(share * len(rows))))
    noisy = tmp / f"noisy-{seed}.csv"
    with open(noisy, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["text", "label"])
        for i, (text, label) in enumerate(rows):
            if i in flipped:
                label = rng.choice([l for l in labels if l != label])
            w.writerow([text, label])
    out = subprocess.run([str(DRAFTCHECK), "-q", "audit", "--data", str(noisy), "--top", str(len(flipped)),
                          "--format", "json", *extra], capture_output=True, text=True, check=True).stdout
    found = {json.loads(l)["row"] - 1 for l in out.splitlines() if json.loads(l)["kind"] == "label"}
    noisy_labels = [label for _, label in read_rows(noisy)]
    return len(found & flipped), len(flipped), bound(oracle, noisy_labels, flipped)


def read_rows(path: Path) -> list[tuple[str, str]]:
    with open(path, newline="", encoding="utf-8-sig") as f:
        return [(r["text"], r["label"]) for r in csv.DictReader(f)]


def clean_out_of_fold(rows: list[tuple[str, str]], tmp: Path, extra: list[str]) -> list[dict[str, float]]:
    """Out-of-fold probabilities from models trained on the right labels
    (`evaluate --predictions`, the same folds and features as audit)."""
    clean = tmp / "clean.csv"
    with open(clean, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["text", "label"])
        w.writerows(rows)
    predictions = tmp / "clean-predictions.csv"
    # audit's own options (--repeats N, --top N) are not evaluate's: the bound
    # is one cross-validation with the same features and folds.
    features, skip = [], False
    for i, a in enumerate(extra):
        if skip:
            skip = False
        elif a in ("--repeats", "--top"):
            skip = True
        elif not a.startswith(("--repeats=", "--top=")):
            features.append(a)
    subprocess.run([str(DRAFTCHECK), "-q", "evaluate", "--data", str(clean), "--predictions", str(predictions),
                    *features], capture_output=True, text=True, check=True)
    with open(predictions, newline="", encoding="utf-8") as f:
        return [{k[2:]: float(v) for k, v in r.items() if k.startswith("p_")} for r in csv.DictReader(f)]


def bound(oracle: list[dict[str, float]], noisy_labels: list[str], flipped: set[int]) -> float:
    """The share of flipped rows among the k rows whose given (noisy) label
    a model trained on the RIGHT labels finds least likely: what ranking by
    out-of-fold probability could find even if the flipped labels had not
    misled the model."""
    if not flipped:
        return 1.0
    order = sorted(range(len(noisy_labels)), key=lambda i: (oracle[i][noisy_labels[i]], i))
    return len(set(order[:len(flipped)]) & flipped) / len(flipped)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--datasets-dir", default=os.environ.get("DRAFTCHECK_DATASETS"))
    p.add_argument("--share", type=float, default=0.05)
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--no-build", action="store_true")
    p.add_argument("--audit-args", default="", help="more options for audit, e.g. \"--ngrams 1-3\"")
    args = p.parse_args()
    if not args.no_build:
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    sets = [("drafts", ROOT / "data" / "drafts.csv")]
    if args.datasets_dir:
        sets += [(n, Path(args.datasets_dir) / f"{n}.csv") for n in ("sms_spam", "airline_tweets")]
    print(f"| data | rows flipped ({args.share:.0%}) | found by audit --top k, per seed | mean "
          "| bound: the same ranking by a model trained on the right labels |")
    print("| --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as tmp:
        for name, path in sets:
            extra = args.audit_args.split()
            oracle = clean_out_of_fold(read_rows(path), Path(tmp), extra)
            results = [measure(path, args.share, seed, Path(tmp), extra, oracle)
                       for seed in range(1, args.seeds + 1)]
            shares = [f / n for f, n, _ in results]
            bounds = [b for _, _, b in results]
            print(f"| {name} | {results[0][1]} | " + ", ".join(f"{s:.1%}" for s in shares)
                  + f" | **{sum(shares) / len(shares):.1%}** | {sum(bounds) / len(bounds):.1%} |", flush=True)


if __name__ == "__main__":
    sys.exit(main())
