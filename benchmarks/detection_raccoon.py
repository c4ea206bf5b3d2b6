"""Real photos: the raccoon set (160 images, Pascal VOC), AL vs random, from scratch (no pretrained weights).

Holds out a seeded 30% of the images, then replays the loop (``--init`` random labels, rounds of
``--batch``, a YOLO fine-tune after each) and prints mAP50 per round and the wall time per round.

    python benchmarks/detection_raccoon.py --device cpu
    python benchmarks/detection_raccoon.py --data ../shared/data/raccoon --device cuda --imgsz 640 --epochs 40
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from detection_common import REPO, add_common, device_name, model_options, replay  # noqa: E402

LIMITS = """
What limits it: yolov8n starts from random weights (offline, no COCO-pretrained checkpoint), and
~100 labeled photos of one class with varied scale, pose and background are far too few to learn
generic visual features from scratch; at 320 px on CPU each round can afford only a few epochs.
Synthetic shapes (benchmarks/detection_shapes_al.py) are learnable from scratch; real photos need
pretrained weights (model.name = "yolov8n.pt" or "yolo11n.pt" when online, with label_map
{"bear": "raccoon"} or a fine-tune), where the same loop starts from a useful detector.
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "raccoon")
    ap.add_argument("--imgsz", type=int, default=320)
    add_common(ap)
    ap.set_defaults(budget=100, epochs=15)
    args = ap.parse_args()

    from activelabel.simulation.tasks.detection import load

    print(f"device: {device_name(args.device)}")
    data = load(str(args.data), eval_path=None, seed=0, options=model_options(args, args.imgsz))
    print(f"raccoon: {data.n_pool} pool images, {data.n_eval} held out, imgsz {args.imgsz}, "
          f"{args.epochs} epochs per round; notes: {data.notes or 'none'}")
    t0 = time.perf_counter()
    replay(data, args)
    print(f"total wall time {time.perf_counter() - t0:.0f} s")
    print(LIMITS)


if __name__ == "__main__":
    main()
