#!/usr/bin/env bash
# Run a py2distro plan on Kubernetes: one Indexed Job per wave, in order, then the publish Job.
#   contrib/distributed/run-k8s-plan.sh plan.json [namespace]
# Needs: kubectl, a PersistentVolumeClaim <name>-work (ReadWriteMany), a Secret <name>-org-key
# with keys org-key.asc (and passphrase), and an engine service the pods reach (--engine-host).
# NOT executed on the development machine (no cluster there); the manifests are validated with
# kubernetes-models by test/unit/api/distributed/export.test.ts.
set -euo pipefail
plan=${1:?usage: run-k8s-plan.sh plan.json [namespace]}
ns=${2:-default}
name=${PY2DISTRO_K8S_NAME:-py2distro}
engine_host=${PY2DISTRO_ENGINE_HOST:?set PY2DISTRO_ENGINE_HOST, e.g. tcp://podman.build.svc:8080}
kubectl -n "$ns" create configmap "$name-plan" --from-file=plan.json="$plan" --dry-run=client -o yaml | kubectl -n "$ns" apply -f -
manifests=$(mktemp)
py2distro plan export --plan "$plan" --format k8s --name "$name" --engine-host "$engine_host" --output "$manifests"
# One document per wave, then publish: apply each and wait for it before the next.
csplit -s -z -f "$manifests.part." "$manifests" '/^---$/' '{*}'
for part in "$manifests".part.*; do
  job=$(kubectl -n "$ns" apply -f "$part" -o name)
  kubectl -n "$ns" wait --for=condition=complete --timeout=6h "$job"
done
rm -f "$manifests" "$manifests".part.*
