"""Rehearsal: keep a pretrained pipeline's own knowledge while it learns the project's labels.

Fine-tuning on a few hundred answers that only mention the project's labels teaches the model
that everything else is "not an entity", and it forgets its other types (catastrophic
forgetting). Two remedies, both from the *pretrained* pipeline's own predictions:

1. on each answered text, entities of model labels the project does not use are added as silver
   annotations wherever they do not touch a human span, so the answer does not contradict them;
2. unlabeled texts (the project's pool when the caller passes it, else the generic sentences
   below, written for this purpose) are annotated by the pretrained pipeline and mixed into
   training, so every type keeps being rehearsed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# Generic English sentences with common entity types (written for activelabel; no external data).
GENERIC_SENTENCES: tuple[str, ...] = (
    "Maria Lopez joined Siemens in Munich last March.",
    "The mayor of Chicago met executives from Boeing on Tuesday.",
    "Barack Obama visited Berlin in 2008 and spoke to a large crowd.",
    "Apple reported revenue of $90 billion for the first quarter.",
    "Angela Merkel led Germany for sixteen years.",
    "Toyota will open a new factory in Texas next year.",
    "Serena Williams won her first title at the US Open in 1999.",
    "Microsoft bought LinkedIn for $26 billion in June 2016.",
    "The United Nations held a meeting in Geneva about climate policy.",
    "Jeff Bezos founded Amazon in a garage in Seattle.",
    "Kenya and Ethiopia signed a trade agreement on Friday.",
    "Dr. Priya Patel works at the Mayo Clinic in Minnesota.",
    "Google announced new offices in London and Dublin.",
    "The European Central Bank raised interest rates by half a percent.",
    "Lionel Messi moved from Barcelona to Paris Saint-Germain.",
    "Samsung shipped ten million phones in the third quarter.",
    "The Louvre in Paris welcomed nine million visitors last year.",
    "Elon Musk said Tesla would build a plant near Shanghai.",
    "Harvard University and MIT are both in Massachusetts.",
    "The World Health Organization warned about measles in Brazil.",
    "Nelson Mandela was released from prison in February 1990.",
    "Netflix released the series in more than 190 countries.",
    "The Bank of Japan kept its policy unchanged on Wednesday.",
    "Taylor Swift played three concerts at Wembley Stadium.",
    "Volkswagen agreed to pay $14.7 billion to settle the case.",
    "Pope Francis visited Mexico City in 2016.",
    "The Red Cross sent doctors to Haiti after the earthquake.",
    "Satya Nadella became chief executive of Microsoft in 2014.",
    "Air France cancelled flights between Paris and New York.",
    "Professor Chen Wei teaches physics at Peking University.",
    "The Supreme Court ruled on the case in a 5-4 decision.",
    "Nike opened its largest store on Fifth Avenue in Manhattan.",
    "Indian Prime Minister Narendra Modi spoke in New Delhi on Monday.",
    "Spotify has more than 500 million users worldwide.",
    "The Amazon River flows through Peru, Colombia and Brazil.",
    "Coca-Cola sponsors the Olympic Games in Tokyo.",
    "Ada Lovelace worked with Charles Babbage in London.",
    "Shell sold its oil fields in Nigeria for two billion dollars.",
    "The Golden Gate Bridge opened in San Francisco in 1937.",
    "Fatima Ahmed will lead the Red Crescent office in Cairo.",
)


def rehearsal_texts(unlabeled: Sequence[str] | None, limit: int, seed: int) -> list[str]:
    """Up to ``limit`` unlabeled texts (a seeded sample), or the generic sentences when none are given."""
    import random

    texts = [t for t in (unlabeled or ()) if t.strip()]
    if not texts:
        return list(GENERIC_SENTENCES)[:limit]
    if len(texts) > limit:
        texts = random.Random(seed).sample(texts, limit)
    return texts


def silver_entities(base_nlp: Any, texts: Sequence[str], keep_labels: set[str] | None,
                    batch_size: int = 256) -> list[list[tuple[int, int, str]]]:
    """The pretrained pipeline's own entities per text (char offsets, model labels).

    ``keep_labels``: only entities of these labels; None keeps every label.
    """
    out: list[list[tuple[int, int, str]]] = []
    for doc in base_nlp.pipe(list(texts), batch_size=batch_size):
        out.append([(e.start_char, e.end_char, e.label_) for e in doc.ents
                    if keep_labels is None or e.label_ in keep_labels])
    return out


def merge_silver(gold: Sequence[tuple[int, int, str]],
                 silver: Sequence[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Human spans win; silver spans are added only where they touch no human span."""
    merged = list(gold)
    for s in silver:
        if all(s[1] <= g[0] or s[0] >= g[1] for g in merged):
            merged.append(s)
    return sorted(merged)
