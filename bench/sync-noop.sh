#!/usr/bin/env bash
# A no-op `py2distro sync` of generated 10/50/100-package sets (3 runs, medians): wall time and the
# number of containers it started (0). See bench/sync-noop.ts for the set-up.
set -euo pipefail
cd "$(dirname "$0")/.."
export CONTAINERS_CONF="${CONTAINERS_CONF:-$PWD/test/fixtures/containers.conf}"
npx tsc -p tsconfig.json >/dev/null || true   # the CLI runs from dist/
exec node --import tsx bench/sync-noop.ts "$@"
