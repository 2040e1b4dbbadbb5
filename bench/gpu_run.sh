#!/usr/bin/env bash
# The device-tool run: GPU checks, the Learner benchmark, and the seed 004 comparison with timm's resnet18.
# Expects .whl/ (fastprogress, torcheval, fastcore wheels) and .gpudata/ (the FashionMNIST idx files) carried.
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 1
export PYTHONPATH=/tmp/site:$PWD SLOWCNN_DATA=$PWD/.gpudata MPLBACKEND=Agg PYTHONUNBUFFERED=1 PYTHONWARNINGS=ignore
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$OUT/smoke.log"
python3 -c "import torch, timm, torchvision; print('torch', torch.__version__, 'timm', timm.__version__, 'torchvision', torchvision.__version__)" | tee -a "$OUT/smoke.log"
python3 bench/gpu_smoke.py 2>&1 | tee -a "$OUT/smoke.log"
python3 bench/bench_learner.py --epochs 3 --reps 5 --stats 2>&1 | tee "$OUT/bench.log"
python3 -m slowcnn.cli compare --out /tmp/compare 2>&1 | tee "$OUT/compare.log"
tar czf "$OUT/compare.tgz" -C /tmp compare
