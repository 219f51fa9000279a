#!/usr/bin/env bash
# py2distro demo (`make demo`): the example project under examples/hello-py2distro goes through the
# pipeline as an upstream release would. Each section below belongs to one stage; later stages
# reuse the variables the earlier ones export (DEMO_OUT, INDEX_URL, KEYRING, UPSTREAM_FPR, SDIST).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
PY2DISTRO=("$ROOT/bin/py2distro")
export DEMO_OUT="${DEMO_OUT:-$ROOT/demo-out}"
rm -rf "$DEMO_OUT"
mkdir -p "$DEMO_OUT"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# --- 1. upstream: sdist, signing key, signature, static PEP 503 index on 127.0.0.1 (issue 2) ---
say "building the example sdist with Debian's setuptools"
mkdir -p "$DEMO_OUT/upstream"
(cd examples/hello-py2distro && /usr/bin/python3 -c 'import sys; from setuptools import build_meta as b; print(b.build_sdist(sys.argv[1]))' "$DEMO_OUT/upstream" >/dev/null)
rm -rf examples/hello-py2distro/src/*.egg-info
SDIST_NAME="$(cd "$DEMO_OUT/upstream" && ls *.tar.gz)"
export SDIST="$DEMO_OUT/upstream/$SDIST_NAME"
echo "$SDIST_NAME"

say "generating the upstream release key (demo only) and signing the sdist"
export GNUPGHOME="$DEMO_OUT/upstream/gnupg"
mkdir -p -m 700 "$GNUPGHOME"
gpg --batch --quiet --pinentry-mode loopback --passphrase '' --quick-gen-key 'hello-py2distro release <release@hello-py2distro.invalid>' ed25519 sign 1y 2>/dev/null
export UPSTREAM_FPR="$(gpg --batch --with-colons --list-keys 2>/dev/null | awk -F: '/^fpr/ {print $10; exit}')"
export KEYRING="$DEMO_OUT/upstream/KEYS.asc"
gpg --batch --armor --export "$UPSTREAM_FPR" > "$KEYRING"
gpg --batch --quiet --armor --detach-sign -o "$SDIST.asc" "$SDIST"
gpgconf --kill gpg-agent  # no daemon outlives the demo
unset GNUPGHOME
echo "key $UPSTREAM_FPR"

say "publishing it on a static PEP 503 index served on 127.0.0.1"
PROJECT_DIR="$DEMO_OUT/index/simple/hello-py2distro"
mkdir -p "$PROJECT_DIR" "$DEMO_OUT/index/files"
cp "$SDIST" "$SDIST.asc" "$DEMO_OUT/index/files/"
SHA256="$(sha256sum "$SDIST" | cut -d' ' -f1)"
cat > "$PROJECT_DIR/index.html" <<HTML
<!DOCTYPE html>
<html><body>
<a href="../../files/$SDIST_NAME#sha256=$SHA256" data-requires-python="&gt;=3.9" data-gpg-sig="true">$SDIST_NAME</a>
</body></html>
HTML
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
python3 -m http.server --bind 127.0.0.1 --directory "$DEMO_OUT/index" "$PORT" >"$DEMO_OUT/index.log" 2>&1 &
PIDS+=($!)
export INDEX_URL="http://127.0.0.1:$PORT/simple/"
for _ in $(seq 50); do curl -fsS -o /dev/null "$INDEX_URL" 2>/dev/null && break; sleep 0.1; done
echo "$INDEX_URL"

# --- 2. fetch + verify (issue 2) ---
say "py2distro fetch hello-py2distro (signature required, key pinned)"
"${PY2DISTRO[@]}" --cache-dir "$DEMO_OUT/cache" fetch hello-py2distro \
  --index-url "$INDEX_URL" --keyring "$KEYRING" --trust "hello-py2distro=$UPSTREAM_FPR" \
  --signature-policy required --python-version 3.11 --out "$DEMO_OUT/fetched"
export FETCHED_SDIST="$DEMO_OUT/fetched/$SDIST_NAME"

say "py2distro verify of the fetched file"
cp "$SDIST.asc" "$FETCHED_SDIST.asc"
"${PY2DISTRO[@]}" verify "$FETCHED_SDIST" --keyring "$KEYRING" --trust "hello-py2distro=$UPSTREAM_FPR"

say "the attack: the sdist modified after signing (index hash recomputed to match) is refused"
cp "$SDIST" "$DEMO_OUT/tampered.tar.gz"
printf 'evil' >> "$DEMO_OUT/tampered.tar.gz"
cp "$DEMO_OUT/tampered.tar.gz" "$DEMO_OUT/index/files/$SDIST_NAME"
sed -i "s/#sha256=[0-9a-f]*/#sha256=$(sha256sum "$DEMO_OUT/tampered.tar.gz" | cut -d' ' -f1)/" "$PROJECT_DIR/index.html"
set +e
"${PY2DISTRO[@]}" --cache-dir "$DEMO_OUT/cache-attack" fetch hello-py2distro --index-url "$INDEX_URL" \
  --keyring "$KEYRING" --trust "hello-py2distro=$UPSTREAM_FPR" --out "$DEMO_OUT/attack-out"
status=$?
set -e
[ "$status" = 3 ] || { echo "expected exit 3 for the tampered sdist, got $status"; exit 1; }
[ -z "$(ls -A "$DEMO_OUT/attack-out" 2>/dev/null)" ] || { echo "a refused file was left in --out"; exit 1; }
echo "refused with exit 3; nothing written to --out"
cp "$SDIST" "$DEMO_OUT/index/files/$SDIST_NAME"
sed -i "s/#sha256=[0-9a-f]*/#sha256=$SHA256/" "$PROJECT_DIR/index.html"

# --- later stages (render, build, sign, publish, sync) append their sections below ---

# --- 2. render: packaging sources from the verified sdist (issue 3) ---
say "py2distro render: debian/ tree + .orig tarball, and an RPM spec, from the verified sdist"
"${PY2DISTRO[@]}" --cache-dir "$DEMO_OUT/cache" render hello-py2distro --index-url "$INDEX_URL" \
  --keyring "$KEYRING" --trust "hello-py2distro=$UPSTREAM_FPR" --signature-policy required \
  --target deb --target rpmtest-bookworm --out "$DEMO_OUT/render"
sed -n '/^Package:/,$p' "$DEMO_OUT"/render/debian-trixie/*/debian/control

# --- 4. build: the verified sdist into a .deb (and a test-only .rpm) inside containers (issue 4) ---
say "py2distro build: resolve, fetch, verify, render and build in the builder containers"
"${PY2DISTRO[@]}" --cache-dir "$DEMO_OUT/cache" build hello-py2distro --index-url "$INDEX_URL" \
  --keyring "$KEYRING" --trust "hello-py2distro=$UPSTREAM_FPR" --signature-policy required \
  --target deb --target rpmtest-bookworm --jobs 2 --out "$DEMO_OUT/built"
export BUILT_DEB="$(ls "$DEMO_OUT"/built/*.deb)"
dpkg-deb --field "$BUILT_DEB" Package Version Architecture Depends
lintian "$BUILT_DEB" | grep '^E:' && { echo "lintian reported errors"; exit 1; }
echo "lintian: 0 errors; log and provenance: $(cd "$DEMO_OUT/built" && ls *.build.log *.provenance.json | tr '\n' ' ')"

# --- 5. sign + publish: the built packages into a signed apt/yum repository, judged by apt (issue 5) ---
say "py2distro repo publish: sign with the organisation key and publish into apt and yum repositories"
ORG_DIR="$DEMO_OUT/org"
mkdir -p "$ORG_DIR"
export GNUPGHOME="$ORG_DIR/gnupg"
mkdir -p -m 700 "$GNUPGHOME"
gpg --batch --quiet --pinentry-mode loopback --passphrase '' --quick-gen-key 'Demo Org Repository <repo@org.invalid>' ed25519 sign 1y 2>/dev/null
gpg --batch --armor --pinentry-mode loopback --passphrase '' --export-secret-keys > "$ORG_DIR/org-key.asc"
chmod 600 "$ORG_DIR/org-key.asc"
gpgconf --kill gpg-agent
unset GNUPGHOME
"${PY2DISTRO[@]}" repo publish "$DEMO_OUT/repo" "$BUILT_DEB" --codename trixie --sign-key "$ORG_DIR/org-key.asc"
"${PY2DISTRO[@]}" repo publish "$DEMO_OUT/repo" "$DEMO_OUT"/built/*.noarch.rpm --rpm-target rpmtest-bookworm --sign-key "$ORG_DIR/org-key.asc"
rpmkeys --dbpath "$ORG_DIR/rpmdb" --import "$DEMO_OUT/repo/rpm/key.asc"
rpmkeys --dbpath "$ORG_DIR/rpmdb" -Kv "$DEMO_OUT"/repo/rpm/rpmtest-bookworm/Packages/*.rpm | grep -E 'Signature|Header'
"${PY2DISTRO[@]}" repo client-config "$DEMO_OUT/repo" --url file:///srv/repo --only sources > "$ORG_DIR/py2distro.sources"
say "a clean Debian trixie container that trusts only the organisation key installs the package with apt"
podman run --rm --network=host -v "$DEMO_OUT/repo:/srv/repo:ro" -v "$ORG_DIR/py2distro.sources:/etc/apt/sources.list.d/py2distro.sources:ro" \
  localhost/py2distro-base:debian-trixie sh -euc '
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-hello-py2distro >/dev/null
    hello-py2distro
    python3 -c "import hello_py2distro; print(\"imported\", hello_py2distro.__version__)"'

# --- 6. sync: the example as a one-package set, built, published, then a no-op re-run (issue 6) ---
say "py2distro sync: build and publish the set in py2distro.yaml, then sync again (nothing to do, no container)"
SYNC_DIR="$DEMO_OUT/sync"
mkdir -p "$SYNC_DIR"
cat > "$SYNC_DIR/py2distro.yaml" <<YAML
# yaml-language-server: \$schema=$ROOT/schema/py2distro.schema.json
index-url: $INDEX_URL
signature-policy: required
keyrings: [$KEYRING]
trust:
  hello-py2distro: $UPSTREAM_FPR
targets: [debian-trixie]
repo: repo
sign-key: $ORG_DIR/org-key.asc
retention: 3
packages:
  - hello-py2distro
YAML
"${PY2DISTRO[@]}" --config "$SYNC_DIR/py2distro.yaml" --cache-dir "$DEMO_OUT/cache" sync
"${PY2DISTRO[@]}" --config "$SYNC_DIR/py2distro.yaml" --cache-dir "$DEMO_OUT/cache" sync --json \
  | python3 -c 'import json,sys; r=json.load(sys.stdin); print("second sync: built", r["summary"]["built"], "skipped", r["summary"]["skipped"], "containers", r["containersStarted"], "in", r["durationMs"], "ms")'

say "demo finished; everything is under $DEMO_OUT"
