#!/usr/bin/env bash
# One script for runs on a lent GPU machine (the device tool), which has torch, timm and torchvision but not
# fastprogress, torcheval or fastcore: carry their wheels in .whl/ and the FashionMNIST idx files in .gpudata/
# (`bash bench/prepare_device.sh` fills both, with fastai's wheels in .whl/peers/ for the bench job's --peers).
#
#   bash bench/device_run.sh JOB...   JOB: smoke | bench | formats | profile | cold | compare | seed004 | recipes | accurate | recipes_fast | recipes_margin | architectures | large | invariance | full NOTEBOOK...
#
#   smoke          GPU checks (bench/gpu_smoke.py), with the GPU, torch and timm versions
#   bench          the Learner against the hand-written loop, compiled and not, with CudaGraph() and not, and Lightning and fastai, 3 epochs x 5 reps (learner_gpu.json)
#   formats        channels_last and bf16 autocast, eager, compiled and on the fast path (Compile() and CudaGraph()), 3 epochs x 5 reps (formats_gpu.json)
#   profile        where a training step's time goes, eager and compiled (profile_gpu.json)
#   cold           a cold `slowcnn compare` taken apart into phases, 2 new processes (cold_start_gpu.json)
#   compare        `slowcnn compare` with its defaults (adds timm's resnet18 on a GPU); results in $OUT/compare.tgz
#   seed004        seed 004's four models over 5 seeds (seed004_gpu.json)
#   recipes        the recipes' ablation, the 16-epoch candidates for 93%, the accurate recipe and the whitened first layer, 5 seeds (recipes_gpu.json)
#   accurate       the accurate recipe and its 30-epoch candidate for 95% in 60 s, on the fast path, 5 seeds (recipes_accurate_fast_gpu.json)
#   recipes_fast   the 16-epoch candidates for 93% on the fast path (Compile() and CudaGraph()), 5 seeds (recipes_fast_gpu.json)
#   recipes_margin every technique for 18 and 20 epochs on the fast path, 5 seeds: a fast recipe with a margin over 93%? (recipes_margin_gpu.json)
#   architectures  every architecture on the 50,000 training images (architectures_gpu.json)
#   large          Inception v3 at 75 px, AlexNet and small VGG at 224 px, on the 50,000 (architectures_large_gpu.json)
#   invariance     seed 001's rotations and shuffled pixels, 10 epochs (invariance_gpu.json)
#   full           the named experiment notebooks at full size (bench/run_full.py); figures in $OUT/figs.tgz
#
# Each record goes to $OUT; copy it into nbs/records/, where the pages render it. What each job took on an H200 on
# 2026-11-27 (records from that session are committed): smoke 82 s, bench with REPS=3 164 s (without --cudnn),
# seed004 56 s, cold 37 s, recipes_fast 99 s, the accurate recipe 33 s a seed eagerly, invariance 85 s, and
# architectures 11 of its 12 models in 140 s. Already recorded: bench, cold, seed004, recipes_fast, invariance and
# most of architectures. Still to record, most needed first: `accurate` (the accurate recipe and its 30-epoch
# candidate on the fast path, 5 seeds: about 5 minutes), `formats` (bf16 and channels_last on GPU, with and without
# the fast path: 13 variants, about 30 s a repetition after some 2.5 minutes of compiling), `profile` (kernel times,
# about a minute), `recipes_margin` (the fast recipe with more epochs, about 2 minutes), then `bench` again with
# REPS=5 and --cudnn, `recipes` (the whole ablation) and `large`. A session has 15 minutes of device time and a call
# at most 10, so two calls, each several jobs with a `timeout` each (a machine goes back 30 s after a call ends).
# The bench jobs write their record after every repetition, so a timeout keeps the repetitions already done. Files
# from $OUT come back at most 8 a call, so tar the logs:
#   t(){ timeout $1 bash bench/device_run.sh $2; }; t 340 accurate; REPS=2 t 230 formats; cd $OUT && tar czf logs.tgz *.log && rm *.log
#   t(){ timeout $1 bash bench/device_run.sh $2; }; t 90 profile; SEEDS=3 t 150 recipes_margin; cd $OUT && tar czf logs.tgz *.log && rm *.log
# REPS (bench, formats, default 5) and SEEDS (seed004, recipes, accurate, recipes_fast, recipes_margin, default 5) shorten a job to fit the time left.
# Logs go to $OUT (set by the device tool; /tmp/out elsewhere).
set -uo pipefail
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 1
if ls .whl/peers/*.whl >/dev/null 2>&1; then  # optional: without them fastai is not timed, and the bench says so
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/peers .whl/peers/*.whl \
    || echo "fastai's wheels did not install: the bench times it only if it imports"
fi
export PYTHONPATH=/tmp/site:$PWD:/tmp/peers SLOWCNN_DATA=$PWD/.gpudata MPLBACKEND=Agg PYTHONUNBUFFERED=1 PYTHONWARNINGS=once  # each warning once: a fallback to eager training must show in the log
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
while [ $# -gt 0 ]; do
  job=$1; shift
  case $job in
    smoke)   { nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv
               python3 -c "import torch, timm, torchvision; print('torch', torch.__version__, 'timm', timm.__version__, 'torchvision', torchvision.__version__)"
               python3 bench/gpu_smoke.py; } 2>&1 | tee "$OUT/smoke.log" ;;
    bench)   python3 bench/bench_learner.py --epochs 3 --reps ${REPS:-5} --stats --compile --graph --cudnn --peers --record "$OUT/learner_gpu.json" 2>&1 | tee "$OUT/bench.log" ;;
    formats) python3 bench/bench_learner.py --epochs 3 --reps ${REPS:-5} --compile --graph --formats --record "$OUT/formats_gpu.json" 2>&1 | tee "$OUT/formats.log" ;;
    profile) python3 bench/profile_step.py --device cuda --record "$OUT/profile_gpu.json" 2>&1 | tee "$OUT/profile.log" ;;
    cold)    python3 bench/cold_start.py --reps 2 --device cuda --record "$OUT/cold_start_gpu.json" 2>&1 | tee "$OUT/cold.log" ;;
    compare) python3 -m slowcnn.cli compare --out /tmp/compare 2>&1 | tee "$OUT/compare.log"
             tar czf "$OUT/compare.tgz" -C /tmp compare ;;
    seed004) python3 bench/seed004_repro.py --seeds ${SEEDS:-5} --record "$OUT/seed004_gpu.json" 2>&1 | tee "$OUT/seed004.log" ;;
    recipes) python3 bench/exp_recipes.py --steps seed004,aug,ls_ema,every,long,long16,every16,whiten,whiten_frozen,accurate --seeds ${SEEDS:-5} --record "$OUT/recipes_gpu.json" 2>&1 | tee "$OUT/recipes.log" ;;
    accurate) python3 bench/exp_recipes.py --steps accurate,accurate30 --compile --graph --seeds ${SEEDS:-5} --record "$OUT/recipes_accurate_fast_gpu.json" 2>&1 | tee "$OUT/accurate.log" ;;
    recipes_fast) python3 bench/exp_recipes.py --steps long16,every16 --compile --graph --seeds ${SEEDS:-5} --record "$OUT/recipes_fast_gpu.json" 2>&1 | tee "$OUT/recipes_fast.log" ;;
    recipes_margin) python3 bench/exp_recipes.py --steps every18,every20 --compile --graph --seeds ${SEEDS:-5} --record "$OUT/recipes_margin_gpu.json" 2>&1 | tee "$OUT/recipes_margin.log" ;;
    architectures) python3 bench/exp_architectures.py --n-train 50000 --record "$OUT/architectures_gpu.json" 2>&1 | tee "$OUT/architectures.log" ;;
    large)   python3 bench/exp_architectures.py --n-train 50000 --models inception_v3,vgg_small_d2l,alexnet_d2l --record "$OUT/architectures_large_gpu.json" 2>&1 | tee "$OUT/large.log" ;;
    invariance) python3 bench/exp_invariance.py --epochs 10 --record "$OUT/invariance_gpu.json" 2>&1 | tee "$OUT/invariance.log" ;;
    full)    mkdir -p "$OUT/figs"; python3 bench/run_full.py "$OUT/figs" "$@" 2>&1 | tee "$OUT/full.log"
             (cd "$OUT" && tar czf figs.tgz figs && rm -r figs); shift $# ;;
    *)       echo "unknown job: $job (smoke, bench, formats, profile, cold, compare, seed004, recipes, accurate, recipes_fast, recipes_margin, architectures, large, invariance, full)" >&2; exit 2 ;;
  esac
done
