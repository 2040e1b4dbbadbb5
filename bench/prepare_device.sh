#!/usr/bin/env bash
# Fill what bench/device_run.sh carries to a lent GPU machine (Python 3.12, x86-64; it has torch, torchvision, timm,
# Lightning, pandas, scipy and scikit-learn, but not the rest):
#   .whl/        fastprogress 1.0.x and torcheval, which slowcnn needs there
#   .whl/peers/  fastai and what it needs beyond that machine's packages, for bench_learner.py --peers (optional:
#                if they do not install there, fastai is not timed and the run says so)
#   .gpudata/    the FashionMNIST idx files from Debian's dataset-fashion-mnist (31 MB)
# Both folders are ignored by git; run this once, here, before the first device call:
#   bash bench/prepare_device.sh
# and name .whl and .gpudata in the device tool's `carry`.
set -euo pipefail
cd "$(dirname "$0")/.."
grep -qx '/.gpudata/' .git/info/exclude 2>/dev/null || echo /.gpudata/ >> .git/info/exclude
wheels() {  # wheels for the device machine's Python and platform, without their dependencies
  local dest=$1; shift
  python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux_2_17_x86_64 \
    --platform manylinux2014_x86_64 --platform manylinux1_x86_64 -d "$dest" "$@"
}
mkdir -p .whl/peers .gpudata  # wheels already there are kept: this script deletes nothing
wheels .whl 'fastprogress>=1.0,<1.1' 'torcheval>=0.0.7'
wheels .whl/peers fastai 'fastcore>=2.2.22' fasttransform 'plum-dispatch<2.10' fastdownload beartype
cp /usr/share/datasets/fashion-mnist/*.gz .gpudata/
for d in .whl .whl/peers; do  # two versions of one package stop the whole install there: say which, and let the user choose
  twice=$(ls "$d"/*.whl 2>/dev/null | xargs -n1 basename | cut -d- -f1 | tr 'A-Z-' 'a-z_' | sort | uniq -d)
  if [ -n "$twice" ]; then echo "$d holds two versions of: $twice; remove the one you do not want (nothing was deleted)" >&2; exit 1; fi
done
du -sh .whl .gpudata
