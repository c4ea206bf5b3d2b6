"""Classification defaults chosen by measurement (issue 16): the real pipeline against a plain-LR harness.

For each data set, model config and seed, one margin run through ``activelabel.simulation``
(``run_one``: a real project, import, oracle rounds, retrains; the metric is the held-out gold
accuracy that training stores), and the same seeds in a plain scikit-learn loop that knows nothing of
activelabel: ``LogisticRegression()`` on the raw vectors (digits), or ``TfidfVectorizer()`` fitted on
the whole pool + ``LogisticRegression()`` (texts), the same split, the same 20 random labels to start,
then the 10 lowest-margin items a round. Both count the same thing: accuracy on the held-out 30%,
and "labels to 95% / 99%" as the first label count whose accuracy reaches that share of a reference.
Two references are printed: the config's own full-pool accuracy (what ``simulate`` reports) and the
plain LR's full-pool accuracy (one yardstick for every config). ``--plain-counts-all`` adds the plain
harness scored on the whole data set (pool + held out), the way some tutorials count.

    python benchmarks/classification_defaults.py --datasets digits --seeds 3
    python benchmarks/classification_defaults.py --datasets sms,tweets \\
        --sms ../shared/data/sms_spam/SMSSpamCollection.tsv --tweets ../shared/data/wnut17/wnut17train.conll

The third text set is WNUT-17 (public tweets; no installed package ships a labeled text-classification
set offline), as binary "does the tweet name an entity" from its BIO tags.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

COUNTS = (30, 50, 80, 100, 150, 200, 250, 300)  # label counts at which the curves are printed
CONFIGS: dict[str, dict[str, dict[str, Any]]] = {
    "vectors": {
        "standard C=1": {"name": "vectors-logreg", "params": {"scale": "standard"}},
        "standard C=0.1": {"name": "vectors-logreg", "params": {"scale": "standard", "C": 0.1}},
        "maxabs C=1": {"name": "vectors-logreg", "params": {"scale": "maxabs"}},
        "maxabs C=3": {"name": "vectors-logreg", "params": {"scale": "maxabs", "C": 3.0}},
        "maxabs C=10": {"name": "vectors-logreg", "params": {"scale": "maxabs", "C": 10.0}},
        "none C=1": {"name": "vectors-logreg", "params": {"scale": "none"}},
        "none C=0.3": {"name": "vectors-logreg", "params": {"scale": "none", "C": 0.3}},
        "none C=0.1": {"name": "vectors-logreg", "params": {"scale": "none", "C": 0.1}},
    },
    "text": {
        "char2-5 C=10 balanced": {"name": "tfidf-logreg", "params": {}},
        "char2-5 C=1 balanced": {"name": "tfidf-logreg", "params": {"C": 1.0}},
        "char2-5 C=100 balanced": {"name": "tfidf-logreg", "params": {"C": 100.0}},
        "char2-5 C=10 unweighted": {"name": "tfidf-logreg", "params": {"class_weight": "none"}},
    },
}


def tweets_file(conll: Path, out: Path) -> Path:
    """WNUT-17 as text classification: label ``entity`` if any token carries a B-/I- tag, else ``none``."""
    rows, tokens, tagged = [], [], False
    for line in conll.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if tokens:
                rows.append({"text": " ".join(tokens), "label": "entity" if tagged else "none"})
            tokens, tagged = [], False
            continue
        token, _, tag = line.partition("\t")
        tokens.append(token)
        tagged = tagged or tag.strip() != "O"
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return out


VECTOR_SETS = ("digits", "breast_cancer")  # scikit-learn ships both


def sklearn_vectors_file(name: str, out: Path) -> Path:
    """A scikit-learn bundled table as vector items (JSONL), for the vector model's other checks."""
    from sklearn import datasets

    bunch = getattr(datasets, f"load_{name}")()
    out.write_text("".join(json.dumps({"text": " ".join(f"{v:.6g}" for v in x), "label": str(t)}) + "\n"
                           for x, t in zip(bunch.data, bunch.target, strict=True)), encoding="utf-8")
    return out


def load(name: str, args: argparse.Namespace, tmp: Path) -> Any:
    from activelabel.simulation.tasks import load_dataset

    if name == "digits":
        return load_dataset("classification", "digits")
    if name in VECTOR_SETS:
        return load_dataset("classification", str(sklearn_vectors_file(name, tmp / f"{name}.jsonl")),
                            options={"model": "vectors-logreg"})
    if name == "sms":
        return load_dataset("classification", str(args.sms))
    if name == "tweets":
        return load_dataset("classification", str(tweets_file(args.tweets, tmp / "wnut17_entity.jsonl")))
    raise SystemExit(f"unknown data set {name!r}: digits, sms or tweets")


def first_reach(curve: list[tuple[int, float]], target: float) -> int | None:
    return next((n for n, acc in curve if not math.isnan(acc) and acc >= target), None)


# --- the plain harness: scikit-learn only, nothing from activelabel -------------------------------

def plain_features(data: Any, vectors: bool) -> tuple[Any, np.ndarray, Any, np.ndarray]:
    """(pool X, pool y, held-out X, held-out y); texts get a TF-IDF fitted once on the whole pool."""
    texts = [t for t, _ in data.pool]
    eval_texts = [t for t, _ in data.eval]
    y, y_eval = np.array([lab for _, lab in data.pool]), np.array([lab for _, lab in data.eval])
    if vectors:
        def to_x(rows: list[str]) -> np.ndarray:
            return np.array([r.split() for r in rows], dtype=float)
        return to_x(texts), y, to_x(eval_texts), y_eval
    from sklearn.feature_extraction.text import TfidfVectorizer

    tfidf = TfidfVectorizer().fit(texts)
    return tfidf.transform(texts), y, tfidf.transform(eval_texts), y_eval


def plain_run(x: Any, y: np.ndarray, x_eval: Any, y_eval: np.ndarray, seed: int, init: int, batch: int,
              budget: int, count_all: bool = False) -> list[tuple[int, float]]:
    from scipy.sparse import issparse, vstack
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(seed)
    labeled = list(rng.choice(len(y), size=init, replace=False))
    curve = []
    while True:
        clf = LogisticRegression(max_iter=1000)
        if len(set(y[labeled].tolist())) < 2:
            curve.append((len(labeled), math.nan))
        else:
            clf.fit(x[labeled], y[labeled])
            if count_all:  # the whole data set, the labeled items included
                xa = vstack([x, x_eval]) if issparse(x) else np.vstack([x, x_eval])
                curve.append((len(labeled), float(np.mean(clf.predict(xa) == np.concatenate([y, y_eval])))))
            else:
                curve.append((len(labeled), float(np.mean(clf.predict(x_eval) == y_eval))))
        if len(labeled) >= budget:
            return curve
        rest = np.setdiff1d(np.arange(len(y)), labeled)
        if not hasattr(clf, "classes_"):
            pick = rng.choice(rest, size=batch, replace=False)
        else:
            p = np.sort(clf.predict_proba(x[rest]), axis=1)
            margin = p[:, -1] - p[:, -2]
            pick = rest[np.argsort(margin, kind="stable")[:batch]]
        labeled += pick.tolist()


def plain_full(x: Any, y: np.ndarray, x_eval: Any, y_eval: np.ndarray) -> float:
    from sklearn.linear_model import LogisticRegression

    return float(np.mean(LogisticRegression(max_iter=1000).fit(x, y).predict(x_eval) == y_eval))


# --- the real pipeline -----------------------------------------------------------------------------

def pipeline_runs(data: Any, model: dict[str, Any], seeds: int, init: int, batch: int, budget: int,
                  root: Path) -> tuple[float, list[list[tuple[int, float]]]]:
    """(the config's full-pool accuracy, one margin curve per seed), through ``activelabel.simulation``."""
    from activelabel.simulation.runner import Settings, check_settings, full_pool_metric, run_one

    data = dataclasses.replace(data, model=model)
    settings = Settings(strategies=("margin",), seeds=seeds, init=init, batch=batch, budget=budget)
    check_settings(settings, data)
    files = root / "data"
    full = full_pool_metric(data, files, root, settings)
    curves = []
    for seed in range(seeds):
        results = run_one(data, files, root, settings, "margin", seed)
        curves.append([(r.labels, r.metric) for r in results])
    return full, curves


def at(curve: list[tuple[int, float]], n: int) -> float:
    return next((acc for labels, acc in curve if labels == n), math.nan)


def row(name: str, seed: str, curve_set: list[list[tuple[int, float]]], own: float, ref: float,
        counts: tuple[int, ...]) -> str:
    def reach(target: float) -> str:
        hits = [first_reach(c, target) for c in curve_set]
        if all(h is not None for h in hits):
            return f"{np.mean([h for h in hits if h is not None]):.0f}"
        return f"-({sum(h is not None for h in hits)}/{len(hits)})"
    accs = "".join(f"{np.nanmean([at(c, n) for c in curve_set]):7.3f}" for n in counts)
    return (f"{name:<26}{seed:>5}{own:>7.4f}{reach(0.95 * own):>8}{reach(0.99 * own):>8}"
            f"{reach(0.95 * ref):>8}{reach(0.99 * ref):>8}{accs}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--datasets", default="digits", help="comma-separated: digits, sms, tweets (and breast_cancer: a check for the vector model)")
    ap.add_argument("--sms", type=Path, default=Path("../shared/data/sms_spam/SMSSpamCollection.tsv"))
    ap.add_argument("--tweets", type=Path, default=Path("../shared/data/wnut17/wnut17train.conll"))
    ap.add_argument("--configs", default="", help="comma-separated config names (default: all of the kind)")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--init", type=int, default=20)
    ap.add_argument("--batch", type=int, default=10)
    ap.add_argument("--budget", type=int, default=250)
    ap.add_argument("--plain-counts-all", action="store_true", help="also score the plain harness on pool + held out")
    ap.add_argument("--json", type=Path, help="write every curve here")
    args = ap.parse_args()
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores; "
          f"init {args.init}, batch {args.batch}, budget {args.budget}, margin, seeds 0-{args.seeds - 1}")
    dump: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="clsdefaults-") as tmp:
        for name in args.datasets.split(","):
            data = load(name, args, Path(tmp))
            vectors = name in VECTOR_SETS
            x, y, x_eval, y_eval = plain_features(data, vectors)
            ref = plain_full(x, y, x_eval, y_eval)
            counts = tuple(n for n in COUNTS if n <= args.budget)
            print(f"\n{data.name}: {data.n_pool} pool / {data.n_eval} held out; plain-LR full-pool accuracy {ref:.4f}")
            print(f"{'config':<26}{'seed':>5}{'full':>7}{'95%own':>8}{'99%own':>8}{'95%LR':>8}{'99%LR':>8}"
                  + "".join(f"{'@' + str(n):>7}" for n in counts))
            t0 = time.process_time()
            plain = [plain_run(x, y, x_eval, y_eval, s, args.init, args.batch, args.budget) for s in range(args.seeds)]
            for s, c in enumerate(plain):
                print(row("plain LR harness", str(s), [c], ref, ref, counts))
            print(row("plain LR harness", "mean", plain, ref, ref, counts) + f"  ({time.process_time() - t0:.1f}s CPU)",
                  flush=True)
            dump[name] = {"plain_full": ref, "plain": plain, "configs": {}}
            if args.plain_counts_all:
                whole = [plain_run(x, y, x_eval, y_eval, s, args.init, args.batch, args.budget, count_all=True)
                         for s in range(args.seeds)]
                print(row("plain LR, whole-set acc", "mean", whole, ref, ref, counts))
                dump[name]["plain_whole_set"] = whole
            kind = "vectors" if vectors else "text"
            chosen = [c for c in args.configs.split(",") if c] or list(CONFIGS[kind])
            for cfg_name in chosen:
                model = CONFIGS[kind][cfg_name]
                t0 = time.process_time()
                full, curves = pipeline_runs(data, model, args.seeds, args.init, args.batch, args.budget,
                                             Path(tmp) / name)
                for s, c in enumerate(curves):
                    print(row(cfg_name, str(s), [c], full, ref, counts))
                print(row(cfg_name, "mean", curves, full, ref, counts)
                      + f"  ({time.process_time() - t0:.0f}s CPU)", flush=True)
                dump[name]["configs"][cfg_name] = {"model": model, "full": full, "curves": curves}
    print(f"\nload average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.json:
        args.json.write_text(json.dumps(dump, indent=1))


if __name__ == "__main__":
    main()
