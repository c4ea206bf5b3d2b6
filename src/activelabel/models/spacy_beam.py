"""Entity confidence from spaCy's beam, the way Prodigy's ``ner.teach`` scores entities.

The greedy parse says which entities the model proposes; a beam parse of the same docs keeps the
``beam_width`` best analyses with normalised probabilities, and an entity's confidence is the
probability mass of the beam parses that contain it. Entities the beam finds but the greedy parse
leaves out ("beam-only") are the other half of the uncertainty: the model is unsure they are NOT
there. Everything here is a plain function over spaCy objects, so the adapter stays small.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

REDUCTIONS = ("min", "mean", "product", "beam_mass")
MIN_BEAM_ONLY = 0.01  # beam-only candidates below this mass are noise, not a decision

EntityKey = tuple[int, int, str]  # (start_char, end_char, project label)


def needed_pipes(nlp: Any, component: str = "ner") -> list[str]:
    """The NER component plus the shared embedders (tok2vec, transformer) it listens to."""
    return [name for name, proc in nlp.pipeline
            if name == component or component in (getattr(proc, "listening_components", None) or [])]


def beam_entity_probs(nlp: Any, docs: Sequence[Any], to_project: Mapping[str, str], *, beam_width: int,
                      beam_density: float) -> list[dict[EntityKey, float]]:
    """Per doc: (start_char, end_char, project label) -> share of the beam's probability mass.

    Model labels that map to the same project label (GPE and LOC -> location) add up, because
    for the project they are the same decision. Unmapped model labels are left out.
    """
    ner = nlp.get_pipe("ner")
    beams = ner.beam_parse(list(docs), beam_width=beam_width, beam_density=beam_density)
    out: list[dict[EntityKey, float]] = []
    for doc, beam in zip(docs, beams, strict=True):
        probs: dict[EntityKey, float] = defaultdict(float)
        for prob, ents in ner.moves.get_beam_parses(beam):
            for start, end, label in ents:
                project_label = to_project.get(label)
                if project_label is None:
                    continue
                span = doc[start:end]
                probs[(span.start_char, span.end_char, project_label)] += float(prob)
        out.append({k: min(1.0, max(0.0, v)) for k, v in probs.items()})
    return out


def reduce_confidence(entity_probs: Sequence[float], beam_only_probs: Sequence[float], how: str) -> float:
    """One item confidence from per-entity beam probabilities.

    - ``min``: the least certain decision: a proposed entity's probability, or for a beam-only
      candidate the probability that it is rightly left out (1 - p).
    - ``mean``: the mean of those same decisions.
    - ``product``: their product, the chance that the whole pre-label is right (taking the
      decisions as independent): a sentence with several doubtful entities scores lower than one
      with a single doubt, so a budget counted in sentences buys more entity decisions.
    - ``beam_mass``: 1 minus the mass of beam-only entities (clipped to 0..1): how much of the
      beam disagrees with the greedy parse by adding entities.
    An item with no decisions at all (no entity, nothing in the beam) is certain: 1.0.
    """
    decisions = [*entity_probs, *(1.0 - p for p in beam_only_probs)]
    if how == "min":
        value = min(decisions, default=1.0)
    elif how == "mean":
        value = sum(decisions) / len(decisions) if decisions else 1.0
    elif how == "product":
        value = math.prod(decisions)
    elif how == "beam_mass":
        value = 1.0 - sum(beam_only_probs)
    else:
        raise ValueError(f"unknown confidence reduction {how!r}; use one of {', '.join(REDUCTIONS)}")
    return float(min(1.0, max(0.0, value)))


def split_beam(greedy: Sequence[EntityKey], probs: Mapping[EntityKey, float]) -> tuple[list[float], list[tuple[EntityKey, float]]]:
    """Probabilities of the greedy entities (0 where the beam never found one) and the beam-only rest."""
    chosen = set(greedy)
    entity_probs = [float(probs.get(k, 0.0)) for k in greedy]
    beam_only = sorted(((k, p) for k, p in probs.items() if k not in chosen and p >= MIN_BEAM_ONLY),
                       key=lambda kp: -kp[1])
    return entity_probs, beam_only
