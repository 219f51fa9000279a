#!/usr/bin/env bash
# yum index benchmark (see bench/yum-index.ts). BENCH_N=2000 by default; BENCH_DIR keeps the generated .rpms.
set -euo pipefail
cd "$(dirname "$0")/.."
exec node --import tsx bench/yum-index.ts
