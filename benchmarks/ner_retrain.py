"""Retraining time of the spaCy NER adapter on 1,000 answered sentences (one round, CPU).

    python benchmarks/ner_retrain.py [--data ../shared/data/wnut17/wnut17train.conll] [--n 1000] [--n-iter 10]

Fine-tunes en_core_web_sm (offline copy) on N WNUT-17 sentences with the default settings
(rehearsal of the pretrained predictions on N unlabeled sentences, 10 epochs) and prints the wall
time and the entity F1 on 500 held-out sentences before and after.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from ner_common import DEFAULT_DATA, LABEL_MAP, LABELS, items, load_wnut, split

from activelabel.models.spacy_ner import SpacyNER


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--n-iter", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rows = load_wnut(args.data)
    pool, ev = split(rows, 500, 2 * args.n, args.seed)
    train, unlabeled = pool[: args.n], pool[args.n:]
    model = SpacyNER(LABELS, params={"n_iter": args.n_iter}, label_map=LABEL_MAP, seed=args.seed)
    before = model.evaluate(items(ev, "e"), [v for _, v in ev])["metric"]
    t0, c0 = time.perf_counter(), time.process_time()
    model.fit(items(train), [v for _, v in train], unlabeled=items(unlabeled, "u"))
    took, cpu = time.perf_counter() - t0, time.process_time() - c0
    after = model.evaluate(items(ev, "e"), [v for _, v in ev])["metric"]
    print(f"retrain on {len(train)} sentences (+{min(len(unlabeled), len(train))} rehearsal), "
          f"{args.n_iter} epochs: {took:.1f} s wall, {cpu:.1f} s CPU (this process, all threads)")
    print(f"entity F1 on {len(ev)} held-out sentences: pretrained+label map {before:.3f} -> fine-tuned {after:.3f}")


if __name__ == "__main__":
    main()
