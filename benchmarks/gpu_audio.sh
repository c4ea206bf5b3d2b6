#!/usr/bin/env bash
# One GPU figure for the audio issue: card name, backend, real-time factor of tiny.en (under 3 min).
# Run from the repository root on a machine with a CUDA GPU and `pip install -e '.[audio]'`:
#   bash benchmarks/gpu_audio.sh [FSDD_DIR]
# faster-whisper needs CTranslate2's CUDA build (CUDA 12 cuBLAS + cuDNN 9 libraries on the path).
set -euo pipefail
DATA="${1:-../shared/data/fsdd}"
PY="${PYTHON:-.venv/bin/python}"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
"$PY" -c "import ctranslate2; print('ctranslate2', ctranslate2.__version__, 'CUDA devices:', ctranslate2.get_cuda_device_count())"
timeout 150 "$PY" benchmarks/audio_speed.py --data "$DATA" --limit 400 --device cuda --batch-size 32
