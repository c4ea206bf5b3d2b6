"""Real-time factor of Whisper transcription: on FSDD clips (batched across files) and on a 60 s clip
made by joining FSDD clips with short pauses (batched over its VAD chunks).

Real-time factor = transcription seconds / audio seconds (below 1 is faster than real time).
Decoding and resampling are not timed; model loading is timed separately.

    python benchmarks/audio_speed.py --data ../shared/data/fsdd --limit 200 --device cpu
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from audio_common import DEFAULT_DATA, Timer, fsdd_items  # noqa: E402

from activelabel.audio import SAMPLE_RATE, load_audio  # noqa: E402
from activelabel.metrics_text import exact_match  # noqa: E402
from activelabel.models.whisper import WhisperTranscriber  # noqa: E402


def device_name(device: str) -> str:
    if device != "cuda":
        import os

        return f"CPU ({os.cpu_count()} cores visible)"
    try:
        import torch

        return str(torch.cuda.get_device_name(0))
    except Exception as exc:  # no torch / no CUDA runtime: say so rather than guess
        return f"CUDA device (name unavailable: {exc})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--limit", type=int, default=200, help="clips for the FSDD figure (0: all 2,000)")
    ap.add_argument("--model", default="faster-whisper:tiny.en")
    ap.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    items, truth, _ = fsdd_items(args.data, args.limit or None, args.seed)
    model = WhisperTranscriber(model=args.model, params={"device": args.device, "batch_size": args.batch_size})
    with Timer() as tl:
        backend = model.backend()
    print(f"backend {backend.name} ({args.model}), device {backend.device}: {device_name(backend.device)}; "
          f"model loaded in {tl.seconds:.1f} s")
    audios = [load_audio(Path(it.content)) for it in items]
    seconds = sum(len(a) for a in audios) / SAMPLE_RATE
    model.transcribe_audio(audios[: min(4, len(audios))])  # warm-up (kernels, allocator)
    with Timer() as t:
        raws = model.transcribe_audio(audios)
    print(f"FSDD: {len(audios)} clips, {seconds:.0f} s of audio in {t.seconds:.1f} s: real-time factor "
          f"{t.seconds / seconds:.3f} (exact match {exact_match([r.text for r in raws], truth):.3f}, batch "
          f"{args.batch_size})")

    pause = np.zeros(int(0.4 * SAMPLE_RATE), dtype=np.float32)
    parts: list[np.ndarray] = []
    words: list[str] = []
    for a, w in zip(audios, truth):
        if sum(len(p) for p in parts) >= 60 * SAMPLE_RATE:
            break
        parts += [a, pause]
        words.append(w)
    joined = np.concatenate(parts)[: 60 * SAMPLE_RATE]
    with Timer() as tj:
        [raw] = backend.transcribe([joined])
    dur = len(joined) / SAMPLE_RATE
    print(f"joined clip: {dur:.0f} s ({len(words)} spoken digits) in {tj.seconds:.1f} s: real-time factor "
          f"{tj.seconds / dur:.3f}; {len(raw.text.split())} words transcribed")


if __name__ == "__main__":
    main()
