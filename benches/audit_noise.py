#!/usr/bin/env python3
"""How well `draftcheck audit` finds label mistakes: flip a share of the labels
at random (seeded), run `audit --top k` (k = the number flipped) and count how
many of the flipped rows it lists.

    python3 benches/audit_noise.py                       # the bundled drafts
    python3 benches/audit_noise.py --datasets-dir DIR    # also sms_spam and airline_tweets

Each flipped row gets another label picked at random. Files are written to a
temporary folder, never to the repository. Uses target/release/draftcheck
(built with `cargo build --release` unless --no-build).
"""
import argparse, csv, json, os, random, subprocess, sys, tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DRAFTCHECK = ROOT / "target" / "release" / "draftcheck"


def measure(path: Path, share: float, seed: int, tmp: Path, extra: list[str]) -> tuple[int, int]:
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        rows = [(r["text"], r["label"]) for r in reader]
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
    return len(found & flipped), len(flipped)


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
    print(f"| data | rows flipped ({args.share:.0%}) | found by audit --top k, per seed | mean |")
    print("| --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as tmp:
        for name, path in sets:
            results = [measure(path, args.share, seed, Path(tmp), args.audit_args.split()) for seed in range(1, args.seeds + 1)]
            shares = [f / n for f, n in results]
            print(f"| {name} | {results[0][1]} | " + ", ".join(f"{s:.1%}" for s in shares)
                  + f" | **{sum(shares) / len(shares):.1%}** |", flush=True)


if __name__ == "__main__":
    sys.exit(main())
