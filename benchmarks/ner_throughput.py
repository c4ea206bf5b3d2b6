"""Pre-label throughput of the spaCy NER adapter on CPU, in tokens/s: greedy nlp.pipe vs greedy + beam.

    python benchmarks/ner_throughput.py [--data ../shared/data/wnut17/wnut17train.conll] [--n 1000]

Prints tokens/s for the plain greedy pipeline (ner only, as the adapter keeps it) and for the
adapter's predict() (greedy parse + beam parse for per-entity confidence) at a few beam widths.
Both wall-clock and CPU-time rates are printed: on a shared machine the CPU rate is the one that
says what the code costs (it runs single-threaded, so tokens per CPU-second ~ tokens/s alone).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from ner_common import DEFAULT_DATA, LABEL_MAP, LABELS, items, load_wnut

from activelabel.models.spacy_ner import SpacyNER


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--n", type=int, default=1000, help="sentences to pre-label")
    ap.add_argument("--beam-widths", default="4,8,16")
    args = ap.parse_args()
    rows = load_wnut(args.data)[: args.n]
    texts = [t for t, _ in rows]
    model = SpacyNER(LABELS, params={}, label_map=LABEL_MAP)
    nlp = model._require()
    n_tok = sum(len(d) for d in nlp.pipe(texts[:50]))  # warm-up
    t0, c0 = time.perf_counter(), time.process_time()
    n_tok = sum(len(d) for d in nlp.pipe(texts, batch_size=256))
    greedy, greedy_cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"{len(texts)} sentences, {n_tok} tokens, pipeline {nlp.pipe_names}")
    print(f"greedy nlp.pipe:           {n_tok / greedy:8.0f} tokens/s wall  {n_tok / greedy_cpu:8.0f} tokens/CPU-s")
    its = items(rows)
    for width in [int(w) for w in args.beam_widths.split(",")]:
        model.params["beam_width"] = width
        t0, c0 = time.perf_counter(), time.process_time()
        model.predict(its)
        took, cpu = time.perf_counter() - t0, time.process_time() - c0
        print(f"greedy + beam width {width:2d}:  {n_tok / took:8.0f} tokens/s wall  {n_tok / cpu:8.0f} tokens/CPU-s "
              f"({cpu / greedy_cpu:.1f}x the greedy CPU time)")


if __name__ == "__main__":
    main()
