"""Transcript metrics: WER and CER (jiwer), and exact match after normalisation.

Normalisation is the documented rule every metric and the "transcript was right" label share:
lower case, punctuation removed, whitespace collapsed, and a single digit written as its word
("5" == "five"), so that "Five." and "5" count as the same transcript of a spoken digit.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_PUNCT = re.compile(r"[^\w\s']|_")
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    text = _PUNCT.sub(" ", text).replace("'", "")
    words = [DIGIT_WORDS[int(w)] if len(w) == 1 and w.isdigit() else w for w in _SPACE.split(text) if w]
    return " ".join(words)


def exact_match(hypotheses: Sequence[str], references: Sequence[str]) -> float:
    if not references:
        return float("nan")
    return sum(normalise(h) == normalise(r) for h, r in zip(hypotheses, references)) / len(references)


def _pairs(hypotheses: Sequence[str], references: Sequence[str]) -> tuple[list[str], list[str]]:
    """jiwer refuses empty references; an empty reference (no speech) is compared as a placeholder."""
    refs = [normalise(r) or "<silence>" for r in references]
    hyps = [normalise(h) or ("<silence>" if not normalise(r) else "") for h, r in zip(hypotheses, references)]
    return hyps, refs


def wer(hypotheses: Sequence[str], references: Sequence[str]) -> float:
    import jiwer

    if not references:
        return float("nan")
    hyps, refs = _pairs(hypotheses, references)
    return float(jiwer.wer(refs, hyps))


def cer(hypotheses: Sequence[str], references: Sequence[str]) -> float:
    import jiwer

    if not references:
        return float("nan")
    hyps, refs = _pairs(hypotheses, references)
    return float(jiwer.cer(refs, hyps))


def transcript_metrics(hypotheses: Sequence[str], references: Sequence[str]) -> dict[str, float]:
    em = exact_match(hypotheses, references)
    return {"metric": em, "exact_match": em, "wer": wer(hypotheses, references), "cer": cer(hypotheses, references)}
