#!/usr/bin/env bash
# Set up everything slowcnn needs on a fresh Debian-like machine: the FashionMNIST package and a virtual
# environment in .venv with the library and its dev tools. Idempotent: a second run reuses what the first installed.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}

# 1. The real FashionMNIST, from Debian (skipped when SLOWCNN_DATA points elsewhere).
if [ -z "${SLOWCNN_DATA:-}" ] && [ ! -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    echo "setup: installing dataset-fashion-mnist"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist >/dev/null
  else
    echo "setup: warning: FashionMNIST is missing; run 'sudo apt-get install dataset-fashion-mnist' or set SLOWCNN_DATA" >&2
  fi
fi

# 2. The virtual environment.
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
PIP=(.venv/bin/python -m pip --disable-pip-version-check)

# 3. torch and torchvision first, pinned to a pair that works together. On our machines pip takes these builds
#    from local disk; elsewhere it fetches them. SLOWCNN_TORCH overrides the pair (e.g. a CPU-only build).
if [ "$(uname -m)" = aarch64 ]; then default_torch="torch==2.9.1 torchvision==0.24.1"
else default_torch="torch==2.14.1 torchvision==0.29.1"; fi
TORCH_SPEC=${SLOWCNN_TORCH:-$default_torch}

# 4. The library (editable) and its dev requirements, redone only when what they depend on changed.
stamp=.venv/.slowcnn-setup
want=$(cat settings.ini setup.py tools/setup.sh | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: installing into .venv (torch: $TORCH_SPEC)"
  .venv/bin/python -c "import torch, torchvision" 2>/dev/null || "${PIP[@]}" install -q $TORCH_SPEC
  "${PIP[@]}" install -q -e ".[dev]"
  echo "$want" > "$stamp"
else
  echo "setup: .venv is up to date"
fi
