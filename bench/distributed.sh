#!/usr/bin/env bash
# One generated set built on one engine service versus split across two at once (docker CLI on
# one, podman --remote on the other, neither sees the builders' files): prints the speed-up and
# where the time goes (plan, transfer, build, collect). See bench/distributed.ts.
set -euo pipefail
cd "$(dirname "$0")/.."
export CONTAINERS_CONF="${CONTAINERS_CONF:-$PWD/test/fixtures/containers.conf}"
npx tsc -p tsconfig.json >/dev/null || true   # the CLI runs from dist/
exec node --import tsx bench/distributed.ts "${1:-8}"
