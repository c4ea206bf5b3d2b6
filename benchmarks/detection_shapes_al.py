"""Active learning vs random on generated shapes: mAP50 against the number of labeled images.

Generates ``--n-pool`` training images (squares, circles, triangles on noisy backgrounds, exact
boxes) at ``--size`` px and a separate held-out set, then replays the loop: ``--init`` random labels,
then rounds of ``--batch`` picked by each strategy, a YOLO fine-tune (yolov8n from its yaml, no
pretrained weights, warm-started from the previous round) after each. Prints the curve per strategy
and the labels each needs to reach ``--target`` mAP50.

    python benchmarks/detection_shapes_al.py --device cpu            # 300 images at 128 px
    python benchmarks/detection_shapes_al.py --device cuda --epochs 30
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from detection_common import add_common, device_name, model_options, replay  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n-pool", type=int, default=300)
    ap.add_argument("--n-eval", type=int, default=100)
    ap.add_argument("--size", type=int, default=128)
    ap.add_argument("--target", type=float, default=0.90)
    add_common(ap)
    args = ap.parse_args()

    from activelabel.samples.detection import make_sample
    from activelabel.simulation.tasks.detection import load

    print(f"device: {device_name(args.device)}")
    with tempfile.TemporaryDirectory(prefix="shapes-") as tmp:
        pool = make_sample(Path(tmp) / "pool", args.n_pool, seed=0, size=args.size)
        held = make_sample(Path(tmp) / "eval", args.n_eval, seed=1000, size=args.size)
        data = load(str(pool), eval_path=str(held), seed=0, options=model_options(args, args.size))
        print(f"shapes: {data.n_pool} pool images, {data.n_eval} held out, {args.size} px, "
              f"{args.epochs} epochs per round, strategies {args.strategies}")
        t0 = time.perf_counter()
        replay(data, args, target=args.target)
        print(f"total wall time {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
