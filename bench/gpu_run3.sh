#!/usr/bin/env bash
# Third device run: the experiment notebooks at full size (figures for the notebooks' text).
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 1
export PYTHONPATH=/tmp/site:$PWD SLOWCNN_DATA=$PWD/.gpudata MPLBACKEND=Agg PYTHONUNBUFFERED=1 PYTHONWARNINGS=ignore
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT/figs"
python3 bench/run_full.py "$OUT/figs" ${NBS:-nbs/15_invariance.ipynb nbs/14_finetune.ipynb} 2>&1 | tee "$OUT/full.log"
cd "$OUT" && tar czf figs.tgz figs && rm -r figs
