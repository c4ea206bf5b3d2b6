"""Whisper on FSDD: exact match before/after vocabulary adaptation, error capture, dataset accuracy.

Replays the labeling loop with the file names as the human answers:
1. the base model (tiny.en) transcribes every clip: exact match before adaptation;
2. people correct the ``--adapt`` least-confident clips (at most 50); the adapter learns the
   vocabulary and its confidence calibration from those corrections;
3. the adapted model transcribes the rest: exact match after adaptation, and the share of its
   remaining errors that routing the 25% least-confident clips to people would catch;
4. final dataset accuracy: people answer the corrected clips plus the least-confident others up to
   ``--human-share`` of all clips; the rest keep the model's transcript. Also the smallest share
   people must touch (least confident first) for a dataset accuracy of 0.98 (#16's target: <= 30%).
Also prints the real-time factor (transcription seconds / audio seconds) of the batched pass.

    python benchmarks/audio_transcription.py --data ../shared/data/fsdd --limit 300 --device cpu
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from audio_common import DEFAULT_DATA, Timer, fsdd_items  # noqa: E402

from activelabel.audio import load_audio  # noqa: E402
from activelabel.metrics_text import exact_match, normalise, wer  # noqa: E402
from activelabel.models.whisper import WhisperTranscriber  # noqa: E402
from activelabel.types import Transcript  # noqa: E402


def capture(confidence: np.ndarray, wrong: np.ndarray, share: float) -> float:
    """Share of the wrong transcripts among the ``share`` least-confident clips."""
    if not wrong.any():
        return float("nan")
    k = int(round(share * len(confidence)))
    routed = np.argsort(confidence, kind="stable")[:k]
    return float(wrong[routed].sum() / wrong.sum())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="FSDD folder ({digit}_{speaker}_{take}.wav)")
    ap.add_argument("--limit", type=int, default=0, help="a seeded subsample of this many clips (0: all 2,000)")
    ap.add_argument("--adapt", type=int, default=50, help="corrected clips to adapt on (the issue allows 50)")
    ap.add_argument("--human-share", type=float, default=0.30, help="share of all clips people may touch")
    ap.add_argument("--route-share", type=float, default=0.25, help="least-confident share routed to people")
    ap.add_argument("--model", default="faster-whisper:tiny.en")
    ap.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    items, truth, _digits = fsdd_items(args.data, args.limit or None, args.seed)
    n = len(items)
    model = WhisperTranscriber(model=args.model, params={"device": args.device, "batch_size": args.batch_size})
    audios = [load_audio(Path(it.content)) for it in items]
    seconds = sum(len(a) for a in audios) / 16_000
    print(f"{n} clips, {seconds:.0f} s of audio, model {args.model}, device {model.backend().device}")

    with Timer() as t0:
        before = model.propose(model.transcribe_audio(audios))
    hyp0 = [p.value.text for p in before]
    conf0 = np.array([p.confidence for p in before])
    wrong0 = np.array([normalise(h) != normalise(r) for h, r in zip(hyp0, truth)])
    print(f"before adaptation: exact match {exact_match(hyp0, truth):.3f}, WER {wer(hyp0, truth):.3f}, "
          f"errors caught by routing the {args.route_share:.0%} least confident (uncalibrated) "
          f"{capture(conf0, wrong0, args.route_share):.3f}; real-time factor {t0.seconds / seconds:.3f} "
          f"({t0.seconds:.0f} s for {seconds:.0f} s of audio)")

    adapt = np.argsort(conf0, kind="stable")[:args.adapt]  # people correct the least-confident first
    rest = np.setdiff1d(np.arange(n), adapt)
    with Timer() as tf:
        model.fit([items[i] for i in adapt], [Transcript(truth[i]) for i in adapt])
    print(f"adapted on {len(adapt)} corrected clips in {tf.seconds:.0f} s: vocabulary {model.vocabulary_}, "
          f"calibrated {model.calibrator_ is not None}")

    with Timer() as t1:
        after = model.propose(model.transcribe_audio([audios[i] for i in rest]))
    hyp1 = [p.value.text for p in after]
    ref1 = [truth[i] for i in rest]
    conf1 = np.array([p.confidence for p in after])
    wrong1 = np.array([normalise(h) != normalise(r) for h, r in zip(hyp1, ref1)])
    rest_seconds = sum(len(audios[i]) for i in rest) / 16_000
    print(f"after adaptation (the {len(rest)} other clips): exact match {exact_match(hyp1, ref1):.3f}, "
          f"WER {wer(hyp1, ref1):.3f}; real-time factor {t1.seconds / rest_seconds:.3f}")
    print(f"remaining errors: {int(wrong1.sum())}; caught by routing the {args.route_share:.0%} least "
          f"confident: {capture(conf1, wrong1, args.route_share):.3f}")
    print("error-capture curve (share routed -> share of errors caught): " + ", ".join(
        f"{s:.0%}->{capture(conf1, wrong1, s):.2f}" for s in (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5)))

    budget = int(args.human_share * n) - len(adapt)
    extra = np.argsort(conf1, kind="stable")[:max(0, budget)]
    auto_right = int((~wrong1).sum() - (~wrong1[extra]).sum())
    touched = len(adapt) + len(extra)
    final = (touched + auto_right) / n
    print(f"final dataset accuracy with people touching {touched}/{n} clips ({touched / n:.0%}): {final:.3f}")
    order = np.argsort(conf1, kind="stable")
    right_left = (~wrong1).sum() - np.concatenate([[0], np.cumsum(~wrong1[order])])  # right ones not routed
    reach = [(len(adapt) + k + int(right_left[k])) / n for k in range(len(rest) + 1)]
    k98 = next(k for k, acc in enumerate(reach) if acc >= 0.98 or k == len(rest))
    print(f"smallest share touched for a dataset accuracy >= 0.98: {(len(adapt) + k98) / n:.1%} "
          f"({len(adapt)} corrected + {k98} routed; accuracy {reach[k98]:.3f})")


if __name__ == "__main__":
    main()
