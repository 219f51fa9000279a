#!/usr/bin/env bash
# `make bench`: every publishing benchmark and the no-op sync (reference tools timed in the same run on the same
# files, 3 runs, medians), then one table. BENCH_SIZES / BENCH_RUNS / BENCH_DIR pass through.
set -euo pipefail
cd "$(dirname "$0")/.."
rows="$(mktemp)"
export BENCH_ROWS="$rows"
node --import tsx bench/apt-publish.ts
BENCH_SIZES="${BENCH_YUM_SIZES:-2000}" node --import tsx bench/yum-publish.ts
bash bench/sync-noop.sh
node -e '
const rows = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map(JSON.parse);
console.log("\n| measure | n | py2distro (s) | reference (s) | ratio | goal | reference |");
console.log("|---|---:|---:|---:|---:|---|---|");
for (const r of rows) console.log(`| ${r.measure} | ${r.n} | ${r.py2distro.toFixed(3)} | ${r.reference.toFixed(3)} | ${r.ratio.toFixed(2)} | ${r.goal} | ${r.referenceTool} |`);
' "$rows"
rm -f "$rows"
