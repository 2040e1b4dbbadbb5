#!/usr/bin/env bash
# Fourth device run: the Learner benchmark with the current ActivationStats.
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 1
export PYTHONPATH=/tmp/site:$PWD SLOWCNN_DATA=$PWD/.gpudata MPLBACKEND=Agg PYTHONUNBUFFERED=1 PYTHONWARNINGS=ignore
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
python3 bench/bench_learner.py --epochs 3 --reps 5 --stats 2>&1 | tee "$OUT/bench.log"
