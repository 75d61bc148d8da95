#!/usr/bin/env python3
"""Which advice sections the bundled model gives challenge.csv's desperate drafts.

usage: python3 benches/advice_sections.py [--model PATH] [--data data/challenge.csv]

Scores every desperate row of the stress set (never trained on) with
`draftcheck score --batch --format json`, then counts, by the row's `theme`:
gift drafts shown the gifts section, letter drafts shown the love-letters
section, and drafts with no gift shown the gifts section anyway. A draft the
verdict calls composed gets the composed advice, so it counts as a miss.
"""
import argparse, csv, tomllib
from pathlib import Path

from batch_scores import score_texts

ROOT = Path(__file__).resolve().parent.parent


def desperate_entries() -> list[dict]:
    with open(ROOT / "data" / "advice.toml", "rb") as f:
        advice = tomllib.load(f)
    return [e for e in advice["labels"]["desperate"]["entries"] if "id" in e]


def entry_summaries() -> dict[str, str]:
    """Each desperate advice entry's summary, by id. Entries drawing on the
    same section are shown merged, so an entry is found by its summary, not
    by the section's title (the pressure entry shares the love letters')."""
    return {e["id"]: e["summary"].strip() for e in desperate_entries()}


def entry_sections() -> dict[str, str]:
    """The source document's section each desperate entry draws on, by id."""
    return {e["id"]: e["section"] for e in desperate_entries()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=str(ROOT / "models" / "drafts.json"))
    ap.add_argument("--data", default=str(ROOT / "data" / "challenge.csv"))
    ap.add_argument("--binary", default=str(ROOT / "target" / "release" / "draftcheck"))
    a = ap.parse_args()
    with open(a.data, newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["label"] == "desperate"]
    verdicts = score_texts(a.binary, a.model, [r["text"] for r in rows])
    report(tally(rows, verdicts))


def tally(rows: list[dict], verdicts: list[dict]) -> dict:
    """Counts (hits, drafts) of each measure over desperate rows and their
    verdicts, and why gift drafts missed the gifts advice."""
    summaries = entry_summaries()
    sections = entry_sections()
    counts = {"gift": [0, 0], "letter": [0, 0], "letter_section": [0, 0], "no_gift": [0, 0],
              "missed_composed": [0, 0], "missed_theme": [0, 0]}
    for row, v in zip(rows, verdicts):
        themes = set(row.get("theme", "").split(";"))
        shown = " ".join(e.get("summary", "") for e in v.get("advice", []))
        gifts = summaries["gifts"] in shown
        letters = summaries["love-letters"] in shown
        letters_section = sections["love-letters"] in {e.get("section") for e in v.get("advice", [])}
        if "gift" in themes:
            counts["gift"][0] += gifts
            counts["gift"][1] += 1
            if not gifts:
                # Why: the verdict called it composed, or it was called
                # desperate without the gift theme.
                counts["missed_composed" if v.get("label") != "desperate" else "missed_theme"][0] += 1
        else:
            counts["no_gift"][0] += gifts
            counts["no_gift"][1] += 1
        if "letter" in themes:
            counts["letter"][0] += letters
            counts["letter"][1] += 1
            counts["letter_section"][0] += letters_section
            counts["letter_section"][1] += 1
    return counts


def add(a: dict, b: dict) -> dict:
    """Sums two tallies (of folds)."""
    return {k: [a[k][0] + b[k][0], a[k][1] + b[k][1]] for k in a}


def report(counts: dict):
    right = counts["gift"][0] + counts["letter_section"][0]
    tagged = counts["gift"][1] + counts["letter_section"][1]
    for name, text in [("gift", "gift drafts shown the gifts advice"),
                       ("letter", "letter drafts shown the love-letters advice"),
                       ("letter_section", "letter drafts shown the love-letters section (its entry, or the pressure entry drawing on it)"),
                       ("no_gift", "drafts with no gift shown the gifts advice")]:
        hit, n = counts[name]
        print(f"{text}: {hit} of {n} ({100 * hit / max(n, 1):.1f}%)")
    print(f"gift drafts without the gifts advice: {counts['missed_composed'][0]} called composed, "
          f"{counts['missed_theme'][0]} called desperate without the gift theme")
    from calibration import wilson
    low, high = wilson(right, tagged)
    print(f"gift and letter drafts shown the right section: {right} of {tagged} ({100 * right / max(tagged, 1):.1f}%; "
          f"95% Wilson interval {100 * low:.1f}% to {100 * high:.1f}%)")


if __name__ == "__main__":
    main()
