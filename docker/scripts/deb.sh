#!/bin/sh
# py2distro-build for Debian/Ubuntu builder images. py2distro runs it twice per build, in two
# fresh containers with the same mounts:
#   py2distro-build deps    network on:  refresh apt lists and download Build-Depends into the cache
#   py2distro-build build   network off: install Build-Depends from the cache as root, then build
#                           as the unprivileged `builder` user and copy the artifacts out
# Mounts (the contract with src/stages/build/build.ts):
#   /py2distro/src       read-only: <source>-<version>/debian/... and the .orig tarball
#   /py2distro/cache     read-write: apt lists and archives of this run, the local repo index
#   /py2distro/out       read-write: artifacts, and package-METADATA from the built package
#   /py2distro/localrepo optional, read-only: .debs py2distro built earlier (any layout)
# Environment: SOURCE_DATE_EPOCH, BUILD_JOBS, HOST_UID, HOST_GID, and what render produced:
#   PY2DISTRO_SOURCE, PY2DISTRO_PACKAGES (space-separated), PY2DISTRO_VERSION (no epoch).
# Only those packages leave the container; the names of any other package file the build left
# are written to /py2distro/out/py2distro-unexpected (py2distro then refuses the build).
# Rust crates (a Cargo.lock in the sources): the deps step installs cargo and runs `cargo vendor`
# as `builder` (cargo only downloads: no build script runs); the build step points cargo at the
# vendored copy, offline. A line "py2distro-build: error: ..." is what py2distro reports on failure.
set -eu

step=${1:?usage: py2distro-build deps|build}
# Hand what this container wrote back to the invoking user (a rootful docker daemon would leave
# root-owned files the host user can neither read nor delete), whatever way the step ends.
trap 'chown -R "${HOST_UID:-0}:${HOST_GID:-0}" /py2distro/out /py2distro/cache 2>/dev/null || true' EXIT
cache=/py2distro/cache
mkdir -p "$cache/apt/archives/partial" "$cache/apt/lists/partial"
# Keep apt's state in the per-run cache so the offline container sees what the online one fetched.
# Sandbox::User=root: the _apt user cannot write into the root-owned bind mount.
set -- -o Dir::Cache::Archives="$cache/apt/archives" -o Dir::State::Lists="$cache/apt/lists" \
       -o APT::Sandbox::User=root -o Acquire::Retries=3 -y -q

srcdir=$(find /py2distro/src -mindepth 2 -maxdepth 2 -type d -name debian -printf '%h\n' | head -n 1)
[ -n "$srcdir" ] || { echo "py2distro-build: no <source>/debian directory in /py2distro/src" >&2; exit 2; }

# Packages py2distro built earlier: indexed as a flat repository that only this container trusts.
# copy: (not file:) so apt puts them into the archives cache like downloads, for the offline step.
if [ "$step" = deps ] && [ -d /py2distro/localrepo ]; then
  rm -rf "$cache/localrepo" && mkdir -p "$cache/localrepo"
  find /py2distro/localrepo -name '*.deb' -type f -exec cp -t "$cache/localrepo" {} +
  (cd "$cache/localrepo" && apt-ftparchive packages . > Packages)
fi
if [ -f "$cache/localrepo/Packages" ]; then
  echo "deb [trusted=yes] copy:$cache/localrepo ./" > /etc/apt/sources.list.d/py2distro-local.list
fi

# Is this build output one of the files render asked for? (<package>_<version>_<arch>.deb and the
# source's .buildinfo/.changes; py2distro checks names and control fields again on the host.)
expected() {
  for p in ${PY2DISTRO_PACKAGES:?}; do
    case "$1" in "${p}_${PY2DISTRO_VERSION:?}_"*.deb) return 0 ;; esac
  done
  case "$1" in
    "${PY2DISTRO_SOURCE:?}_${PY2DISTRO_VERSION}_"*.buildinfo | "${PY2DISTRO_SOURCE}_${PY2DISTRO_VERSION}_"*.changes) return 0 ;;
  esac
  return 1
}

# Most pure-Python packages need nothing beyond the image's toolchain: then there is nothing to
# download or install, and the archive is not even asked (saves an apt-get update per build).
satisfied() { (cd "$srcdir" && dpkg-checkbuilddeps) >/dev/null 2>&1; }

# The shallowest Cargo.lock of the sources (not debian/): the crates the Rust build compiles.
cargo_lock=$(find "$srcdir" -maxdepth 4 -name Cargo.lock -not -path '*/debian/*' -printf '%d %p\n' 2>/dev/null | sort -n | head -n 1 | cut -d' ' -f2-)
vendor=$cache/cargo-vendor
vendor_crates() {
  [ -n "$cargo_lock" ] || return 0
  rm -rf "$vendor" /home/builder/cargo-src && mkdir -p "$vendor"
  # cargo wants a writable tree; a copy of the read-only sources, as builder, with the network on.
  cp -a "$srcdir" /home/builder/cargo-src && chown -R builder:builder /home/builder/cargo-src "$vendor"
  manifest=/home/builder/cargo-src/${cargo_lock#"$srcdir"/}
  manifest=${manifest%Cargo.lock}Cargo.toml
  if ! setpriv --reuid=builder --regid=builder --init-groups env -i HOME=/home/builder PATH=/usr/local/bin:/usr/bin:/bin \
      cargo vendor --locked --manifest-path "$manifest" "$vendor" >/dev/null; then
    echo "py2distro-build: error: cannot fetch the Rust crates pinned by ${cargo_lock#"$srcdir"/} (cargo vendor failed; see above). The build runs offline, so they must be fetched first: check that crates.io (or your cargo mirror) is reachable from the builder" >&2
    exit 3
  fi
  rm -rf /home/builder/cargo-src
  echo "py2distro-build: vendored $(find "$vendor" -mindepth 1 -maxdepth 1 -type d | wc -l) Rust crates for the offline build"
}
# The build step's cargo reads the vendored crates only (source replacement, offline).
use_vendored_crates() {
  [ -d "$vendor" ] || return 0
  mkdir -p /home/builder/.cargo
  printf '[source.crates-io]\nreplace-with = "vendored"\n\n[source.vendored]\ndirectory = "%s"\n\n[net]\noffline = true\n' "$vendor" > /home/builder/.cargo/config.toml
  chown -R builder:builder /home/builder/.cargo
}

case "$step" in
deps)
  if satisfied; then
    echo "py2distro-build: Build-Depends already satisfied by the image"
  else
    apt-get "$@" update
    apt-get "$@" --download-only --no-install-recommends build-dep "$srcdir"
  fi
  if [ -n "$cargo_lock" ]; then
    satisfied || apt-get "$@" --no-download --no-install-recommends build-dep "$srcdir" >/dev/null
    vendor_crates
  fi
  ;;
build)
  satisfied || apt-get "$@" --no-download --no-install-recommends build-dep "$srcdir"
  use_vendored_crates
  # A fixed build path: it ends up in debug info and .buildinfo, so it must not vary between runs.
  work=/home/builder/build
  rm -rf "$work" && mkdir -p "$work"
  cp -a /py2distro/src/. "$work/"
  chown -R builder:builder "$work"
  cd "$work/$(basename "$srcdir")"
  # A clean, fixed environment for reproducibility; noautodbgsym: py2distro ships no -dbgsym debs.
  setpriv --reuid=builder --regid=builder --init-groups \
    env -i HOME=/home/builder PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC \
      SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:?}" \
      DEB_BUILD_OPTIONS="noautodbgsym parallel=${BUILD_JOBS:-1}" \
    dpkg-buildpackage -us -uc -b
  cd "$work"
  : > /py2distro/out/py2distro-unexpected
  for f in *.deb *.udeb *.ddeb *.buildinfo *.changes; do
    [ -e "$f" ] || [ -L "$f" ] || continue
    if [ -f "$f" ] && [ ! -L "$f" ] && expected "$f"; then cp "$f" /py2distro/out/; else printf '%s\n' "$f" >> /py2distro/out/py2distro-unexpected; fi
  done
  # What the built package really ships: its dist-info METADATA (or egg-info PKG-INFO + requires.txt).
  for deb in /py2distro/out/*.deb; do
    dpkg-deb --fsys-tarfile "$deb" | tar -xO --wildcards '*.dist-info/METADATA' > /py2distro/out/package-METADATA 2>/dev/null || true
    [ -s /py2distro/out/package-METADATA ] && break
    dpkg-deb --fsys-tarfile "$deb" | tar -xO --wildcards '*.egg-info/PKG-INFO' > /py2distro/out/package-METADATA 2>/dev/null || true
    dpkg-deb --fsys-tarfile "$deb" | tar -xO --wildcards '*.egg-info/requires.txt' > /py2distro/out/package-requires.txt 2>/dev/null || true
    [ -s /py2distro/out/package-METADATA ] && break
  done
  ;;
*) echo "py2distro-build: unknown step $step" >&2; exit 2 ;;
esac
