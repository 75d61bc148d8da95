#!/usr/bin/env python3
"""Checks new rows against every existing row: normalised duplicates, word-trigram
overlap >= 35% (against training and held-out rows, and within the round),
six-word shared runs with the held-out sets, and tf-idf retell candidates
(content words, against training rows and within the round) for a reader.

usage: python3 data/check_new_rows.py NEW.csv [NEW2.csv ...]
writes flags.csv (rows to drop or fix, with why) and retell.csv (pairs for a
reader to judge, rule 3 of data/README.md) in the current directory.
Only the flags name held-out rows, by file and line; retell.csv holds
training rows only, so a reviewer can read it without seeing a held-out set.
"""
import csv, math, re, sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path.cwd()
DATA = Path(__file__).resolve().parent
STOP = set("""a an the and or but if so to of in on at for with from by as is are was were be been
being it its this that these those i me my mine you your yours we us our he she they them his her
their what which who whom do does did have has had not no just can could would should will shall
may might must am im i'm it's that's there here then than too very also up out about into over
again all any some more most other such only own same s t don't didn't can't won't i'll you're
i've i'd you'll we're""".split())


def norm(t):
    """The text as audit folds it to find duplicates (src/cmd/audit.rs, `fold`):
    letters and digits lower-cased, everything else a space, spaces collapsed."""
    return " ".join("".join(c.lower() if c.isalnum() else " " for c in t).split())


def words(t):
    return re.findall(r"[a-z0-9']+", t.lower())


def grams(ws, n):
    return {tuple(ws[i:i + n]) for i in range(len(ws) - n + 1)}


def read(p):
    with open(p, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


train = read(DATA / "drafts.csv")
held = {name: read(DATA / name) for name in ("eval.csv", "challenge.csv", "fresh.csv")}
new = []
for p in sys.argv[1:]:
    for i, r in enumerate(read(p), start=2):
        new.append((Path(p).stem, i, r))

existing = [("drafts", i + 2, r["text"]) for i, r in enumerate(train)]
for name, rows in held.items():
    existing += [(name, i + 2, r["text"]) for i, r in enumerate(rows)]

norms = {}
for src, line, t in existing:
    norms.setdefault(norm(t), (src, line))
tri_index = defaultdict(set)
tri_of = []
for k, (src, line, t) in enumerate(existing):
    g = grams(words(t), 3)
    tri_of.append(g)
    for x in g:
        tri_index[x].add(k)
six_held = defaultdict(set)
for name, rows in held.items():
    for i, r in enumerate(rows):
        for x in grams(words(r["text"]), 6):
            six_held[x].add((name, i + 2))

flags = []
new_norm = {}
new_tri = []
for j, (src, line, r) in enumerate(new):
    t = r["text"]
    why = []
    n = norm(t)
    if n in norms:
        why.append(f"duplicate of {norms[n]}")
    if n in new_norm:
        why.append(f"duplicate within round of {new_norm[n]}")
    new_norm.setdefault(n, (src, line))
    g = grams(words(t), 3)
    new_tri.append(g)
    if g:
        hits = Counter()
        for x in g:
            for k in tri_index.get(x, ()):
                hits[k] += 1
        for k, c in hits.most_common(3):
            if c / len(g) >= 0.35:
                why.append(f"trigram overlap {c / len(g):.0%} with {existing[k][0]}:{existing[k][1]}")
        for jj in range(j):
            gg = new_tri[jj]
            if gg and len(g & gg) / len(g) >= 0.35:
                why.append(f"trigram overlap {len(g & gg) / len(g):.0%} within round with {new[jj][0]}:{new[jj][1]}")
    six = set()
    for x in grams(words(t), 6):
        six |= six_held.get(x, set())
    if six:
        why.append("six-word run shared with held-out " + ",".join(f"{a}:{b}" for a, b in sorted(six)[:3]))
    if r.get("label") not in ("desperate", "composed"):
        why.append(f"bad label {r.get('label')!r}")
    th = r.get("theme", "")
    if r.get("label") == "composed" and th != "none":
        why.append(f"composed with theme {th!r}")
    if r.get("label") == "desperate":
        parts = th.split(";")
        order = ["gift", "letter", "pressure"]
        if not parts or any(p not in order for p in parts) or parts != sorted(parts, key=order.index):
            why.append(f"bad theme {th!r}")
    if why:
        flags.append({"file": src, "line": line, "label": r.get("label"), "why": "; ".join(why), "text": t})

# tf-idf of content words, training rows and the round's rows.
docs = [r["text"] for r in train] + [r["text"] for _, _, r in new]
tok = [[w for w in words(t) if w not in STOP and len(w) > 2] for t in docs]
df = Counter()
for ws in tok:
    df.update(set(ws))
N = len(docs)
vecs = []
for ws in tok:
    tf = Counter(ws)
    v = {w: (1 + math.log(c)) * math.log(N / df[w]) for w, c in tf.items()}
    s = math.sqrt(sum(x * x for x in v.values())) or 1
    vecs.append({w: x / s for w, x in v.items()})
inv = defaultdict(list)
for k, v in enumerate(vecs):
    for w, x in v.items():
        inv[w].append((k, x))
retell = []
T = len(train)
for j in range(len(new)):
    q = vecs[T + j]
    sims = Counter()
    for w, x in q.items():
        for k, y in inv[w]:
            if k != T + j and (k < T or k < T + j):
                sims[k] += x * y
    for k, s in sims.most_common(2):
        if s >= 0.40:
            other = ("drafts", k + 2, train[k]["text"]) if k < T else (new[k - T][0], new[k - T][1], new[k - T][2]["text"])
            retell.append({"file": new[j][0], "line": new[j][1], "sim": f"{s:.2f}",
                           "other": f"{other[0]}:{other[1]}", "text": new[j][2]["text"], "other_text": other[2]})

with open(HERE / "flags.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.DictWriter(f, ["file", "line", "label", "why", "text"])
    w.writeheader()
    w.writerows(flags)
with open(HERE / "retell.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.DictWriter(f, ["file", "line", "sim", "other", "text", "other_text"])
    w.writeheader()
    w.writerows(sorted(retell, key=lambda r: -float(r["sim"])))
print(f"{len(new)} new rows: {len(flags)} flagged (flags.csv), {len(retell)} retell candidates (retell.csv)")
print(Counter(r["label"] for _, _, r in new), Counter(r.get("theme") for _, _, r in new).most_common())
