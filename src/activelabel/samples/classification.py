"""The text-classification sample: SMS messages bundled with the package (CC BY 4.0)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

LABELS = ["ham", "spam"]


def make_sample(folder: Path, n: int = 400, seed: int = 0) -> Path:
    """Write the first ``n`` bundled messages, without labels, as a TSV to import."""
    lines = files("activelabel.data").joinpath("sms_sample.tsv").read_text(encoding="utf-8").splitlines()[1:]
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / "sms_sample.tsv"
    with out.open("w", encoding="utf-8") as fh:
        fh.write("text\n")
        for line in lines[:n]:
            fh.write(line.split("\t", 1)[1] + "\n")
    return out


def answer_key(n: int = 400) -> dict[str, str]:
    """text -> label for the bundled messages, for scripted demo rounds and oracle replays."""
    lines = files("activelabel.data").joinpath("sms_sample.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return {t: lab for lab, t in (line.split("\t", 1) for line in lines[:n])}
