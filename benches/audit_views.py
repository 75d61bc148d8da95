#!/usr/bin/env python3
"""Would another view of the text find more flipped labels than `audit`?

    python3 benches/audit_views.py [--data data/drafts.csv] [--seeds 0,1,2,3,4]

The same noise as benches/audit_noise.py (5% of the labels flipped, the same
seeded draws, so the same rows), ranked the way `audit` ranks them (lowest
out-of-fold probability of the given label first, top k with k the number
flipped), by scikit-learn logistic regressions on other features: word 1-2-grams
(the view audit uses, as a check that the replica agrees with it), character
2-5-grams within words, both together, and the average of the word and character
models' probabilities. Each is also given its bound, the same ranking by models
trained on the right labels (see audit_noise.py), and its out-of-fold accuracy
against the right labels. 5 stratified folds (seed 42), C = 100 (draftcheck's
alpha 0.01). Runs in target/bench/venv, made by benches/compare.py's installer
(scikit-learn from PyPI) if it is missing.
"""
import argparse, csv, os, random, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))


def in_venv() -> None:
    """Re-runs this script with the benchmark venv's python (installing
    scikit-learn there first if needed)."""
    import compare
    if os.environ.get("AUDIT_VIEWS_IN_VENV") == "1":
        return
    compare.ensure_sklearn(lambda m: print(m, file=sys.stderr))
    env = dict(os.environ, AUDIT_VIEWS_IN_VENV="1")
    sys.exit(subprocess.run([str(compare.venv_python()), __file__, *sys.argv[1:]], env=env).returncode)


def flip(labels: list[str], seed: int, share: float) -> tuple[list[str], set[int]]:
    """benches/audit_noise.py's draw: the same rows, the same new labels."""
    names = sorted(set(labels))
    rng = random.Random(seed)
    flipped = set(rng.sample(range(len(labels)), round(share * len(labels))))
    noisy = [rng.choice([l for l in names if l != label]) if i in flipped else label
             for i, label in enumerate(labels)]
    return noisy, flipped


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(ROOT / "data" / "drafts.csv"))
    ap.add_argument("--seeds", default="0,1,2,3,4")
    ap.add_argument("--share", type=float, default=0.05)
    a = ap.parse_args()
    in_venv()
    import numpy as np
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    with open(a.data, newline="", encoding="utf-8-sig") as f:
        rows = [(r["text"], r["label"]) for r in csv.DictReader(f)]
    texts = [t for t, _ in rows]
    labels = [l for _, l in rows]
    names = sorted(set(labels))
    words = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True).fit_transform(texts)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2,
                            sublinear_tf=True).fit_transform(texts)
    views = {"words": words, "characters": chars, "words + characters": hstack([words, chars]).tocsr()}

    def out_of_fold(x, y: list[str]):
        y = np.array([names.index(l) for l in y])
        p = np.zeros((len(y), len(names)))
        for train, test in StratifiedKFold(5, shuffle=True, random_state=42).split(x, y):
            model = LogisticRegression(C=100.0, max_iter=1000).fit(x[train], y[train])
            p[np.ix_(test, model.classes_)] = model.predict_proba(x[test])
        return p

    def found(p, given: list[str], flipped: set[int]) -> float:
        g = np.array([names.index(l) for l in given])
        order = np.argsort(p[np.arange(len(g)), g], kind="stable")[:len(flipped)]
        return len(flipped & set(order.tolist())) / len(flipped)

    truth = np.array([names.index(l) for l in labels])
    clean = {v: out_of_fold(x, labels) for v, x in views.items()}
    clean["average of words and characters"] = (clean["words"] + clean["characters"]) / 2
    results = {v: [] for v in clean}
    for seed in [int(s) for s in a.seeds.split(",")]:
        noisy, flipped = flip(labels, seed, a.share)
        probs = {v: out_of_fold(x, noisy) for v, x in views.items()}
        probs["average of words and characters"] = (probs["words"] + probs["characters"]) / 2
        for v, p in probs.items():
            results[v].append((found(p, noisy, flipped), found(clean[v], noisy, flipped)))
        print(f"seed {seed}: " + ", ".join(f"{v} {results[v][-1][0]:.1%}" for v in probs), flush=True)
    print(f"\n{a.data}: {len(rows)} rows, {round(a.share * len(rows))} flipped, seeds {a.seeds}")
    print("| view | found, per seed | mean | bound (mean) | accuracy out of fold |")
    print("| --- | --- | --- | --- | --- |")
    for v, r in results.items():
        accuracy = (clean[v].argmax(1) == truth).mean()
        print(f"| {v} | {', '.join(f'{x:.1%}' for x, _ in r)} | {np.mean([x for x, _ in r]):.1%} "
              f"| {np.mean([b for _, b in r]):.1%} | {accuracy:.3f} |")


if __name__ == "__main__":
    main()
