#!/usr/bin/env bash
# Benchmark (not a test): verify a detached signature over a 500 MB file with `py2distro verify`
# and with gpgv on the same file, printing wall time and peak RSS for each.
# Usage: bash bench/verify-500mb.sh [size-in-MB]   (needs a built dist/: `make build`)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SIZE_MB="${1:-500}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
export GNUPGHOME="$WORK/gnupg"
mkdir -m 700 "$GNUPGHOME"

echo "making a ${SIZE_MB} MB file and signing it (ed25519, SHA-512)"
head -c "${SIZE_MB}M" /dev/urandom > "$WORK/bench-1.0.tar.gz"
gpg --batch --quiet --pinentry-mode loopback --passphrase '' --quick-gen-key 'bench <bench@invalid>' ed25519 sign never 2>/dev/null
FPR="$(gpg --batch --with-colons --list-keys 2>/dev/null | awk -F: '/^fpr/ {print $10; exit}')"
gpg --batch --armor --export "$FPR" > "$WORK/keys.asc"
gpg --batch --export "$FPR" > "$WORK/keys.gpg"
gpg --batch --quiet --digest-algo SHA512 --armor --detach-sign -o "$WORK/bench-1.0.tar.gz.asc" "$WORK/bench-1.0.tar.gz"
unset GNUPGHOME
# Warm the page cache so both verifiers read from memory, not disk.
cat "$WORK/bench-1.0.tar.gz" > /dev/null

measure() {
  local label="$1"; shift
  /usr/bin/time -f '%e %M' -o "$WORK/time" "$@" > "$WORK/out" 2>&1 || { cat "$WORK/out"; echo "$label FAILED"; exit 1; }
  read -r secs kb < "$WORK/time"
  printf '%-18s wall %6.2f s   peak RSS %7.1f MB\n' "$label" "$secs" "$(awk -v k="$kb" 'BEGIN{print k/1024}')"
}

echo "file: $(du -h "$WORK/bench-1.0.tar.gz" | cut -f1)"
measure "py2distro verify" "$ROOT/bin/py2distro" verify "$WORK/bench-1.0.tar.gz" --keyring "$WORK/keys.asc" --trust "bench=$FPR"
measure "gpgv" gpgv --keyring "$WORK/keys.gpg" "$WORK/bench-1.0.tar.gz.asc" "$WORK/bench-1.0.tar.gz"
measure "sha256sum" sha256sum "$WORK/bench-1.0.tar.gz"
