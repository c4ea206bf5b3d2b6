"""Pre-label throughput: images per second through ``YoloDetector.predict`` at 640 and 128 px.

Measures the whole per-image path the loop uses: decode + EXIF, YOLO inference, NMS, box
uncertainty, and (with flip on, the default) a second pass on the mirrored image. The detector is
yolov8n built from its yaml and trained 1 epoch on a few generated images (weights do not change
the cost much; the number of candidate boxes does, and a barely-trained model proposes few).

    python benchmarks/detection_throughput.py --device cpu
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from detection_common import device_name  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    ap.add_argument("--n", type=int, default=64, help="images per measurement")
    ap.add_argument("--sizes", default="640,128")
    ap.add_argument("--batch", type=int, default=16, help="images per predict call")
    args = ap.parse_args()

    from activelabel.formats.base import Rejection
    from activelabel.formats.detection import read_detection
    from activelabel.models.yolo import YoloDetector
    from activelabel.samples.detection import LABELS, make_sample
    from activelabel.types import Item

    print(f"device: {device_name(args.device)}")
    with tempfile.TemporaryDirectory(prefix="throughput-") as tmp:
        root = Path(tmp)
        results = []
        for size in (int(s) for s in args.sizes.split(",")):
            folder = make_sample(root / f"s{size}", args.n, seed=size, size=size)
            recs = [r for r in read_detection(folder, "yolo", labels=LABELS, project_dir=root / f"p{size}")
                    if not isinstance(r, Rejection)]
            items = [Item(f"i{i}", "image", str(root / f"p{size}" / r.content), r.meta) for i, r in enumerate(recs)]
            values = [r.value for r in recs]
            det = YoloDetector(LABELS, params={"epochs": 1, "imgsz": size, "batch": 8, "device": args.device,
                                               "predict_batch": args.batch, "train_args": {"amp": False}})
            det.fit(items[:16], values[:16])
            det.predict(items[:4])  # warm-up
            for flip in (True, False):
                det.uncertainty = dataclasses.replace(det.uncertainty, flip=flip)
                t0 = time.perf_counter()
                det.predict(items)
                dt = time.perf_counter() - t0
                results.append((size, flip, len(items) / dt))
                print(f"{size:4d} px, flip {'on ' if flip else 'off'}: {len(items) / dt:7.1f} images/s "
                      f"({len(items)} images in {dt:.1f} s)", flush=True)
    print("\npre-label throughput (images/s): " + ", ".join(
        f"{s} px {'with' if f else 'without'} flip {v:.1f}" for s, f, v in results))


if __name__ == "__main__":
    main()
