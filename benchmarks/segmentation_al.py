"""Active learning vs random on generated shapes: mean mask IoU against the number of labeled images.

Generates ``--n-pool`` training images (discs, triangles and squares on a noisy background, each
drawn from its polygon, the exact outline) at ``--size`` px and a separate held-out set, then replays the real loop through
``activelabel.simulation``: ``--init`` random labels, then rounds of ``--batch`` picked by each
strategy, a YOLO-seg fine-tune (``yolov8n-seg.yaml``, no pretrained weights, warm-started) after
each. Prints one line per round, the curves, and the load average (the machine may be shared).

    python benchmarks/segmentation_al.py --device cpu                      # small: minutes on a CPU
    python benchmarks/segmentation_al.py --device cuda --n-pool 600 --epochs 30 --budget 300
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from object_al_common import ObjectKind, main  # noqa: E402

if __name__ == "__main__":
    main(ObjectKind("segmentation", "shapes", "mean mask IoU", "mask_uncertainty"), __doc__ or "")
