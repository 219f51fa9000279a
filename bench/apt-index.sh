#!/usr/bin/env bash
# apt index benchmark (see bench/apt-index.ts). BENCH_N=2000 by default; BENCH_DIR keeps the generated .debs.
set -euo pipefail
cd "$(dirname "$0")/.."
exec node --import tsx bench/apt-index.ts
