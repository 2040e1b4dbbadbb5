#!/usr/bin/env bash
# Set up (tools/setup.sh), then run the whole test suite: the nbdev sync check, the unused-import lint, a clean
# `pip install .` without extras (tools/check_install.py), every notebook (nbdev_test, slow cells included), the
# integration tests in tests/ (pytest), and the docs site (tools/docs_site.py builds _docs/ and checks it in headless
# Chromium: installed here when missing). Exits non-zero if anything fails.
set -uo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh || { echo "setup failed"; exit 1; }
export PATH="$PWD/.venv/bin:$PATH" MPLBACKEND=Agg PYTHONWARNINGS="ignore::UserWarning:torcheval"
passed=0; failed=0; report=()
step() {  # step NAME COMMAND...: run one stage, time it, record its result
  local name=$1; shift; local t0=$SECONDS
  echo; echo "=== $name"
  if "$@"; then passed=$((passed+1)); report+=("PASS  $name ($((SECONDS-t0)) s)")
  else failed=$((failed+1)); report+=("FAIL  $name ($((SECONDS-t0)) s)"); fi
}
snapshot() { find "$@" -type f \( -name '*.py' -o -name '*.ipynb' \) -not -path '*/.ipynb_checkpoints/*' -print0 | sort -z | xargs -0 sha256sum; }
sync_check() {  # the package is what the notebooks generate, and the notebooks are clean
  local before after
  before=$(snapshot slowcnn nbs)
  nbdev_export && nbdev_clean || return 1
  after=$(snapshot slowcnn nbs)
  if [ "$before" != "$after" ]; then
    echo "nbdev_export/nbdev_clean changed files; export and clean the notebooks, then commit:"
    diff <(echo "$before") <(echo "$after"); git --no-pager diff --stat -- slowcnn nbs 2>/dev/null
    return 1
  fi
  python tools/readme.py --check || return 1
  echo "package and notebooks in sync"
}
step "nbdev sync (export + clean leave no diff, README from index)" sync_check
step "lint (no unused imports in the generated package: ruff F401)" ruff check --quiet --select F401 --exclude slowcnn/_modidx.py slowcnn
step "clean install (pip install . without extras imports and trains; every import declared)" python tools/check_install.py
step "notebooks (nbdev_test --flags slow)" nbdev_test --flags slow --n_workers 1 --do_print --timing
step "integration tests (pytest tests/)" python -m pytest tests/ -q -p no:cacheprovider --durations=8
if ! command -v chromium >/dev/null && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  echo "installing chromium for the docs site check"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null 2>&1
fi
step "docs site (build _docs/ without Quarto, check every page in Chromium)" python tools/docs_site.py
echo; echo "=== summary"
printf '%s\n' "${report[@]}"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
