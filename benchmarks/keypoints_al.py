"""Active learning vs random on generated arrows: mean OKS (and PCK@0.1) against the number of labeled images.

Generates ``--n-pool`` training images (arrows and wedges on a plain background, their three corners
as exact keypoints) at ``--size`` px and a separate held-out set, then replays the real loop through
``activelabel.simulation``: ``--init`` random labels, then rounds of ``--batch`` picked by each
strategy, a YOLO-pose fine-tune (``yolov8n-pose.yaml``, no pretrained weights, warm-started) after
each. Prints one line per round, the curves, and the load average (the machine may be shared).

    python benchmarks/keypoints_al.py --device cpu                      # small: minutes on a CPU
    python benchmarks/keypoints_al.py --device cuda --n-pool 600 --epochs 30 --budget 300
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from object_al_common import ObjectKind, main  # noqa: E402

if __name__ == "__main__":
    main(ObjectKind("keypoints", "arrows", "mean OKS", "pose_uncertainty"), __doc__ or "")
