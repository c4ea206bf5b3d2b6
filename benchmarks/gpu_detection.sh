#!/usr/bin/env bash
# Detection on a CUDA GPU, once, in under 4 minutes: the card's name, a from-scratch fine-tune on
# 300 generated shapes at 128 px (the same command as the CPU figure), one on the raccoon photos at
# 640 px when they are present, and pre-label throughput at 640 and 128 px.
#
#   bash benchmarks/gpu_detection.sh                      # in the repository root
#   RACCOON=../shared/data/raccoon bash benchmarks/gpu_detection.sh
#
# On a machine without a package registry, put the wheels of ultralytics, ultralytics-thop and
# ultralytics-platform (and pydantic, for the config module) in .whl-detection/ (and a polars stand-in in .whl-detection/stub/):
# they are installed into /tmp/site for this run only.
set -uo pipefail
PY=${PYTHON:-python3}
export PYTHONUNBUFFERED=1 YOLO_VERBOSE=False YOLO_CONFIG_DIR=${YOLO_CONFIG_DIR:-/tmp/activelabel-yolo-config}
export PYTHONPATH="src:${PYTHONPATH:-}"
if [ -d .whl-detection ] && ! $PY -c "import ultralytics, pydantic" 2>/dev/null; then
  $PY -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl-detection/*.whl || exit 1
  export PYTHONPATH="src:/tmp/site:.whl-detection/stub:${PYTHONPATH}"
fi
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || echo "no nvidia-smi"
$PY -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available(), torch.cuda.get_device_name(0) if torch.cuda.is_available() else '')"
echo "== fine-tune: 300 shapes, 128 px, 15 epochs =="
timeout 100 $PY benchmarks/detection_finetune.py --device cuda --amp off --workers 8 --epochs 15 2>&1 | grep -v "━"
echo "== fine-tune: 300 shapes, 128 px, 40 epochs =="
timeout 100 $PY benchmarks/detection_finetune.py --device cuda --amp off --workers 8 --epochs 40 2>&1 | grep -v "━"
if [ -d "${RACCOON:-}" ]; then
  echo "== fine-tune: raccoon photos, 640 px, 40 epochs, from scratch =="
  timeout 120 $PY benchmarks/detection_finetune.py --device cuda --amp off --workers 8 --data "$RACCOON" --imgsz 640 --epochs 40 2>&1 | grep -v "━"
fi
echo "== pre-label throughput =="
timeout 60 $PY benchmarks/detection_throughput.py --device cuda --n 128 2>&1 | grep -v "━"
