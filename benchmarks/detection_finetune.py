"""One fine-tuning run, timed: yolov8n from its yaml (no pretrained weights) on labeled images.

``--data shapes`` generates ``--n-train`` + ``--n-eval`` images at ``--size`` px; a path reads a
YOLO, COCO or VOC set and holds out a seeded 30%. Prints the wall time of ``YoloDetector.fit`` and
mAP50 / mAP50-95 on the held-out images, so CPU and GPU runs of the same command compare directly.

    python benchmarks/detection_finetune.py --device cpu                 # 300 shapes, 128 px, 15 epochs
    python benchmarks/detection_finetune.py --device cuda --data ../shared/data/raccoon --imgsz 640 --epochs 60
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from detection_common import device_name, epochs_arg  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="shapes", help="'shapes' (generated) or a YOLO/COCO/VOC path")
    ap.add_argument("--n-train", type=int, default=300)
    ap.add_argument("--n-eval", type=int, default=100)
    ap.add_argument("--size", type=int, default=128, help="generated image size")
    ap.add_argument("--imgsz", type=int, default=0, help="training size (0: --size for shapes, 640 otherwise)")
    ap.add_argument("--epochs", type=epochs_arg, default=15, help="a number, or 'auto' (scaled with the images to "
                    "--min-steps optimiser steps, as the adapter's epochs = \"auto\")")
    ap.add_argument("--min-steps", type=int, default=300)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--nbs", type=int, default=0,
                    help="Ultralytics' nominal batch size (0: the adapter's default); the optimiser steps every "
                         "nbs/batch batches")
    ap.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    ap.add_argument("--workers", type=int, default=0, help="data-loading processes (the adapter's default is 0)")
    ap.add_argument("--amp", default="auto", choices=["auto", "off"],
                    help="off skips Ultralytics' AMP self-check (it wants to download weights)")
    args = ap.parse_args()

    from activelabel.models.yolo import YoloDetector, epochs_for
    from activelabel.samples.detection import make_sample
    from activelabel.simulation.tasks.detection import load
    from activelabel.types import Boxes, Item

    print(f"device: {device_name(args.device)}", flush=True)
    with tempfile.TemporaryDirectory(prefix="finetune-") as tmp:
        if args.data == "shapes":
            pool = make_sample(Path(tmp) / "train", args.n_train, seed=0, size=args.size)
            held = make_sample(Path(tmp) / "eval", args.n_eval, seed=1000, size=args.size)
            data = load(str(pool), eval_path=str(held), seed=0, options={})
            imgsz = args.imgsz or args.size
        else:
            data = load(args.data, eval_path=None, seed=0, options={})
            imgsz = args.imgsz or 640
        train_items = [Item(im.item_id, "image", str(im.path), {"width": im.width, "height": im.height})
                       for im in data.pool]
        eval_items = [Item(im.item_id, "image", str(im.path), {"width": im.width, "height": im.height})
                      for im in data.eval]
        params = {"epochs": args.epochs, "min_steps": args.min_steps, "imgsz": imgsz, "batch": args.batch,
                  "device": args.device,
                  "train_args": {"workers": args.workers, **({"amp": False} if args.amp == "off" else {}),
                                 **({"nbs": args.nbs} if args.nbs else {})}}
        det = YoloDetector(data.labels, "yolov8n.yaml", params)
        t0 = time.perf_counter()
        det.fit(train_items, [Boxes(im.boxes) for im in data.pool])
        fit_s = time.perf_counter() - t0
        t1 = time.perf_counter()
        m = det.evaluate(eval_items, [Boxes(im.boxes) for im in data.eval])
        eval_s = time.perf_counter() - t1
    n_epochs = epochs_for(params, len(train_items))
    print(f"\nfine-tune {data.name}: {len(train_items)} images, {n_epochs} epochs ({args.epochs}) at {imgsz} px, "
          f"nbs {args.nbs or 'default'}: "
          f"{fit_s:.1f} s; held-out ({len(eval_items)} images) mAP50 {m['map50']:.3f}, "
          f"mAP50-95 {m['map50_95']:.3f} (evaluated in {eval_s:.1f} s)", flush=True)


if __name__ == "__main__":
    main()
