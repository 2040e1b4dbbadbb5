#!/usr/bin/env bash
# Second device run: the Learner benchmark after buffering metric updates, and seed 004 over 5 seeds.
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 1
export PYTHONPATH=/tmp/site:$PWD SLOWCNN_DATA=$PWD/.gpudata MPLBACKEND=Agg PYTHONUNBUFFERED=1 PYTHONWARNINGS=ignore
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
python3 bench/bench_learner.py --epochs 3 --reps 5 --stats --eager-metrics 2>&1 | tee "$OUT/bench.log"
python3 bench/seed004_repro.py --seeds 5 --out "$OUT/seed004.json" 2>&1 | tee "$OUT/seed004.log"
