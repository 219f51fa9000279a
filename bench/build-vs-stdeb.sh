#!/usr/bin/env bash
# Wall time of `py2distro build <sdist> --target deb` (warm builder image, end to end: inspect,
# render, Build-Depends download, network-less container build, artifacts out) next to stdeb's
# `py2dsc-deb` on the same sdist (which builds directly on the host, without a container or a
# clean environment). Prints one line per run, the median of each, and lintian's error count.
# Usage: bash bench/build-vs-stdeb.sh [runs]   (default 3)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
RUNS="${1:-3}"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$ROOT/test/fixtures/containers.conf}"
command -v py2dsc-deb >/dev/null || { echo "py2dsc-deb missing: apt-get install python3-stdeb"; exit 1; }
WORK="$(mktemp -d /tmp/bench-build-XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

# stdeb only drives setup.py, so the example gets the usual one-line shim; both tools build this sdist.
cp -r "$ROOT/examples/hello-py2distro" "$WORK/project"
printf 'from setuptools import setup\nsetup()\n' > "$WORK/project/setup.py"
(cd "$WORK/project" && /usr/bin/python3 -c 'import sys; from setuptools import build_meta as b; print(b.build_sdist(sys.argv[1]))' "$WORK" >/dev/null)
SDIST="$(ls "$WORK"/*.tar.gz)"
echo "sdist: $(basename "$SDIST"), $(nproc) CPUs, engine: podman $(podman version --format '{{.Client.Version}}')"
"$ROOT/bin/py2distro" images build --target debian-bookworm >/dev/null 2>&1   # warm image

now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
: > "$WORK/py2distro.times"; : > "$WORK/stdeb.times"
for i in $(seq "$RUNS"); do
  out="$WORK/py2distro-$i"
  t0=$(now)
  "$ROOT/bin/py2distro" --cache-dir "$WORK/cache" build "$SDIST" --target deb --out "$out" >/dev/null 2>"$WORK/py2distro-$i.err"
  t1=$(now)
  echo "$t1 - $t0" | bc | tee -a "$WORK/py2distro.times" | sed "s/^/py2distro build  run $i: /;s/$/ s/"

  sd="$WORK/stdeb-$i"; mkdir -p "$sd"; cp "$SDIST" "$sd/"
  t0=$(now)
  (cd "$sd" && py2dsc-deb "$(basename "$SDIST")" >/dev/null 2>&1)
  t1=$(now)
  echo "$t1 - $t0" | bc | tee -a "$WORK/stdeb.times" | sed "s/^/stdeb py2dsc-deb run $i: /;s/$/ s/"
done
echo "median: py2distro build $(median < "$WORK/py2distro.times") s, py2dsc-deb $(median < "$WORK/stdeb.times") s"
P_DEB="$(ls "$WORK"/py2distro-1/*.deb)"; S_DEB="$(ls "$WORK"/stdeb-1/deb_dist/*.deb)"
echo "lintian errors: py2distro $(lintian "$P_DEB" 2>/dev/null | grep -c '^E:' || true), stdeb $(lintian "$S_DEB" 2>/dev/null | grep -c '^E:' || true)"
echo "reproducible: $( [ "$(sha256sum < "$P_DEB")" = "$(sha256sum < "$(ls "$WORK"/py2distro-2/*.deb 2>/dev/null || echo "$P_DEB")")" ] && echo yes || echo NO) (py2distro runs 1 and 2)"
