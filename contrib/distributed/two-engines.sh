#!/usr/bin/env bash
# The whole distributed cycle by hand, on engines that share no filesystem with this machine:
# plan here, build wave by wave on two engine hosts, collect and publish here (the only place
# that holds the key). This is what test/integration/api/distributed.test.ts runs (there against
# two local `podman system service`s in their own mount namespaces).
#   ENGINE_A=ssh://builder@build1 ENGINE_B=tcp://build2:2375 contrib/distributed/two-engines.sh
set -euo pipefail
: "${ENGINE_A:?docker engine URL}" "${ENGINE_B:?podman service URL}"
py2distro sync --plan plan.json
waves=$(node -e 'console.log(JSON.parse(require("fs").readFileSync("plan.json","utf8")).waves.length)')
for ((w = 0; w < waves; w++)); do
  prev=(); [ "$w" -gt 0 ] && prev=(--local-repo out)
  DOCKER_HOST=$ENGINE_A py2distro build --plan plan.json --engine docker --wave "$w" --shard 1/2 --out out/a "${prev[@]}" &
  CONTAINER_HOST=$ENGINE_B py2distro build --plan plan.json --engine podman --wave "$w" --shard 2/2 --out out/b "${prev[@]}" &
  wait -n && wait -n
done
py2distro sync --collect out --plan plan.json
