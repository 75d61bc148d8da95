"""Shared by the bench scripts: score texts with `draftcheck score --batch
--format json` and return one verdict (a dict) per text."""
import csv, json, subprocess, sys, tempfile
from pathlib import Path


def score_texts(binary: str, model: str, texts: list[str]) -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        batch = Path(tmp) / "texts.csv"
        with open(batch, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["text"])
            w.writerows([t] for t in texts)
        out = subprocess.run([binary, "score", "--model", model, "--batch", str(batch), "--format", "json"],
                             capture_output=True, text=True, check=False)
    verdicts = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
    if len(verdicts) != len(texts):
        sys.exit(f"expected {len(texts)} verdicts, got {len(verdicts)}: {out.stderr}")
    return verdicts
