"""People touch only the frames the tracker is unsure of: IDF1 of the result, and the share of frames touched.

Generates clips of moving shapes (``activelabel.samples.tracking``), trains the ``yolo-track`` adapter
(YOLO from ``yolov8n.yaml``, no pretrained weights, ByteTrack) on ``--train`` fully labeled clips, then
on ``--test`` other clips:

1. the tracker proposes tracks and flags the frames it is unsure of (``tracking.flags``);
2. a simulated person checks the first frame and every flagged frame, leaving the true boxes and
   identities there (the keyframes); ``tracking.propagation`` carries each correction along its track
   until the next keyframe;
3. the result goes out through ``export --format mot`` and is scored against the truth: IDF1 (ours,
   and py-motmetrics' when it is installed) and the share of frames touched.

Prints per clip and overall, with the load average (the machine may be shared). The issue's target:
IDF1 >= 0.9 with at most 20% of the frames touched.

    python benchmarks/tracking_touch.py --device cpu                    # minutes on a CPU
    python benchmarks/tracking_touch.py --device cuda --train 16 --epochs 60
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from detection_common import device_name  # noqa: E402  (also points YOLO_CONFIG_DIR at a temporary folder)


def corrections_from_truth(truth: Any, frames: list[int]) -> dict[int, list[Any]]:
    """What the simulated person leaves on each checked frame: the true boxes with their true ids."""
    from activelabel.tracking.propagation import FrameBox

    out: dict[int, list[Any]] = {f: [] for f in frames}
    for t in truth.tracks:
        for b in t.boxes:
            if b.frame in out:
                out[b.frame].append(FrameBox(t.id, t.label, b.x0, b.y0, b.x1, b.y1))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--train", type=int, default=8, help="fully labeled clips to train on")
    ap.add_argument("--test", type=int, default=8, help="clips to track and correct")
    ap.add_argument("--frames", type=int, default=48)
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--train-frames", type=int, default=16, help="frames per clip used for training")
    ap.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    from activelabel.config import parse_config
    from activelabel.exporting import export_project
    from activelabel.models.yolo_track import YoloTracker
    from activelabel.project import Project
    from activelabel.samples.tracking import LABELS, make_sample, truth
    from activelabel.tracking.identity import idf1
    from activelabel.tracking.propagation import clip_to_frame, propagate
    from activelabel.types import Item, Tracks

    print(f"device: {device_name(args.device)}; load average at start {os.getloadavg()}", flush=True)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="tracking-touch-") as tmp:
        root = Path(tmp)
        params = {"epochs": args.epochs, "imgsz": 96, "device": args.device, "train_frames": args.train_frames}
        train_dir = make_sample(root / "train", args.train, seed=100 + args.seed, n_frames=args.frames)
        test_dir = make_sample(root / "test", args.test, seed=200 + args.seed, n_frames=args.frames)
        known = {**truth(train_dir), **truth(test_dir)}
        train_items = [Item(f"train{i}", "video", str(train_dir / n), {"n_frames": args.frames})
                       for i, n in enumerate(sorted(truth(train_dir)))]
        model = YoloTracker(LABELS, "yolov8n.yaml", params)
        model.fit(train_items, [Tracks.from_json(known[Path(i.content).name]) for i in train_items])
        print(f"trained on {args.train} clips ({args.train * args.train_frames} frames at most) in "
              f"{time.perf_counter() - t0:.0f} s", flush=True)

        cfg = parse_config({"name": "touch", "task": "tracking", "labels": LABELS,
                            "loop": {"retrain_every": 0, "auto_accept_threshold": 1.0, "audit_rate": 0.0}})
        touched = total = 0
        raw_scores, fixed_scores = [], []
        with Project.init(root / "proj", cfg) as project:
            report = project.import_file(test_dir, fmt="videos")
            items = [it for page in project.store.iter_pool() for it in page]
            for item in items:
                true = Tracks.from_json(known[str(item.meta["file"])])
                pred = model.predict([Item(item.id, "video", str(project.dir / item.content), item.meta)])[0]
                n_frames = int(item.meta["n_frames"])
                flagged = sorted({0} | {f for f, _ in pred.value.uncertain_frames})
                answer = clip_to_frame(propagate(pred.value, corrections_from_truth(true, flagged), n_frames),
                                       item.meta["width"], item.meta["height"])
                project.submit(item.id, answer, annotator="sim")
                raw, fixed = idf1(pred.value.to_json(), true.to_json()), idf1(answer.to_json(), true.to_json())
                raw_scores.append(raw)
                fixed_scores.append(fixed)
                touched, total = touched + len(flagged), total + n_frames
                print(f"  {item.meta['file']}: {len(true.tracks)} objects, tracker {len(pred.value.tracks)} tracks, "
                      f"IDF1 {raw:.3f} -> {fixed:.3f} with {len(flagged)}/{n_frames} frames touched", flush=True)
            out = root / "mot"
            export_project(project, out, fmt="mot")
            print(f"imported {report.imported} clips; exported MOT to {out.name}/", flush=True)
            try:
                import motmetrics as mm
                import numpy as np

                if not hasattr(np, "asfarray"):  # py-motmetrics 1.4.0 still calls it; NumPy 2 removed it
                    np.asfarray = lambda a: np.asarray(a, dtype=float)  # type: ignore[attr-defined]

                acc_scores = []
                for name in sorted(truth(test_dir)):
                    gt = mm.io.loadtxt(str(test_dir / f"{Path(name).stem}.txt"), fmt="mot15-2D")
                    ours = mm.io.loadtxt(str(out / f"{Path(name).stem}.txt"), fmt="mot15-2D")
                    acc = mm.utils.compare_to_groundtruth(gt, ours, "iou", distth=0.5)
                    acc_scores.append(float(mm.metrics.create().compute(acc, metrics=["idf1"])["idf1"].iloc[0]))
                print(f"py-motmetrics IDF1 of the exported MOT files: mean {sum(acc_scores) / len(acc_scores):.3f}")
            except ImportError:
                print("py-motmetrics is not installed: only our IDF1 is shown")
    n = len(fixed_scores)
    print(f"\nIDF1 before correction {sum(raw_scores) / n:.3f}, after {sum(fixed_scores) / n:.3f}; frames touched "
          f"{touched}/{total} = {touched / max(total, 1):.1%} (target: IDF1 >= 0.9 with <= 20% touched)")
    print(f"total wall time {time.perf_counter() - t0:.0f} s; load average at the end {os.getloadavg()}")


if __name__ == "__main__":
    main()
