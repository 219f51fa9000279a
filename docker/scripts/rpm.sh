#!/bin/sh
# py2distro-build for RPM builder images. py2distro runs it in fresh containers with the same mounts:
#   py2distro-build deps       network on, root, no upstream code: dnf installs the spec's static
#                              BuildRequires and those the last buildreqs round reported, keeping
#                              every downloaded RPM in the cache (rpmtest: apt downloads the host
#                              equivalents); Rust crates are vendored (cargo vendor, as builder)
#   py2distro-build buildreqs  network off: install the cached RPMs, run `rpmbuild -br` (%prep and
#                              %generate_buildrequires: the sdist's own code) as `builder`; writes
#                              cache/buildreqs/status: done (nothing missing) or more (another
#                              deps round needed; the .buildreqs.nosrc.rpm lists what)
#   py2distro-build build      network off: install the cached RPMs, rpmbuild -ba as `builder`,
#                              copy out only the packages render asked for
# py2distro loops deps → buildreqs until `done` (at most 5 rounds), as mock does: the network is
# only ever on for the package manager, never while upstream code runs.
# Mounts (the contract with src/stages/build/build.ts):
#   /py2distro/src       read-only: SPECS/<name>.spec and SOURCES/<tarball>
#   /py2distro/cache     read-write: dnf cache of this run, the local repo, buildreqs/
#   /py2distro/out       read-write: artifacts, and package-METADATA from the built package
#   /py2distro/localrepo optional, read-only: RPMs py2distro built earlier (any layout)
# Environment: SOURCE_DATE_EPOCH, BUILD_JOBS, HOST_UID, HOST_GID; PY2DISTRO_RPM_DEPS from the image
# (dnf: resolve with dnf; none: the image's toolchain stands in for BuildRequires, rpmbuild --nodeps:
# the host's Debian equivalents of BuildRequires, /py2distro/src/py2distro-host-deps, are satisfied
# with apt, and RPMs of ours from /py2distro/localrepo are installed with rpm --nodeps); what
# render produced: PY2DISTRO_SOURCE, PY2DISTRO_PACKAGES (space-separated), PY2DISTRO_VR (version-
# release as in the file names, no epoch). Any other package file the build left is named in
# /py2distro/out/py2distro-unexpected (py2distro then refuses the build).
# Rust crates (a Cargo.lock in the sdist) are vendored in the deps step with `cargo vendor`, as
# `builder`, and the offline steps' cargo reads only them. A line "py2distro-build: error: ..."
# is what py2distro reports on failure.
set -eu

step=${1:?usage: py2distro-build deps|build}
# Hand what this container wrote back to the invoking user (a rootful docker daemon would leave
# root-owned files the host user can neither read nor delete), whatever way the step ends.
trap 'chown -R "${HOST_UID:-0}:${HOST_GID:-0}" /py2distro/out /py2distro/cache 2>/dev/null || true' EXIT
cache=/py2distro/cache
spec=$(find /py2distro/src/SPECS -maxdepth 1 -name '*.spec' | head -n 1)
[ -n "$spec" ] || { echo "py2distro-build: no SPECS/*.spec in /py2distro/src" >&2; exit 2; }
work=/home/builder/rpmbuild
mode=${PY2DISTRO_RPM_DEPS:-none}

# rpmbuild as builder, in a clean fixed environment. The macros make the output reproducible:
# build time and file mtimes come from SOURCE_DATE_EPOCH, and the build host name is fixed.
as_builder_rpmbuild() {
  setpriv --reuid=builder --regid=builder --init-groups \
    env -i HOME=/home/builder PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC \
      SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:?}" RPM_BUILD_NCPUS="${BUILD_JOBS:-1}" \
    rpmbuild --define "_topdir $work" \
      --define "use_source_date_epoch_as_buildtime 1" \
      --define "clamp_mtime_to_source_date_epoch 1" \
      --define "_buildhost py2distro.invalid" \
      "$@"
}

prepare_tree() {
  rm -rf "$work" && mkdir -p "$work/BUILD" "$work/RPMS" "$work/SRPMS"
  cp -a /py2distro/src/SPECS /py2distro/src/SOURCES "$work/"
  chown -R builder:builder "$work"
}

hostdeps=/py2distro/src/py2distro-host-deps
apt_opts="-o Dir::Cache::Archives=$cache/apt/archives -o Dir::State::Lists=$cache/apt/lists -o APT::Sandbox::User=root -o Acquire::Retries=3 -y -q --no-install-recommends"
host_relations() { paste -sd, "$hostdeps"; }
host_satisfied() {
  [ -s "$hostdeps" ] || return 0
  printf 'Source: py2distro-host\n\nPackage: py2distro-host\nArchitecture: all\n' > /tmp/py2distro-host.control
  dpkg-checkbuilddeps -d "$(host_relations)" /tmp/py2distro-host.control >/dev/null 2>&1
}

vendor=$cache/cargo-vendor
# The sdist's Cargo.lock (listed, not extracted: tar tells where it is), shallowest first.
cargo_lock=$(tar -tf "$(find /py2distro/src/SOURCES -maxdepth 1 \( -name '*.tar.gz' -o -name '*.zip' -o -name '*.tar.bz2' -o -name '*.tar.xz' \) | head -n 1)" 2>/dev/null \
  | grep -E '^[^/]+/([^/]+/){0,3}Cargo\.lock$' | awk -F/ '{print NF, $0}' | sort -n | head -n 1 | cut -d' ' -f2- || true)
vendor_crates() {
  [ -n "$cargo_lock" ] || return 0
  rm -rf "$vendor" /home/builder/cargo-src && mkdir -p "$vendor" /home/builder/cargo-src
  sdist=$(find /py2distro/src/SOURCES -maxdepth 1 -name '*.tar.*' | head -n 1)
  tar -xf "$sdist" -C /home/builder/cargo-src
  chown -R builder:builder /home/builder/cargo-src "$vendor"
  if ! setpriv --reuid=builder --regid=builder --init-groups env -i HOME=/home/builder PATH=/usr/local/bin:/usr/bin:/bin \
      cargo vendor --locked --manifest-path "/home/builder/cargo-src/${cargo_lock%Cargo.lock}Cargo.toml" "$vendor" >/dev/null; then
    echo "py2distro-build: error: cannot fetch the Rust crates pinned by $cargo_lock (cargo vendor failed; see above). The build runs offline, so they must be fetched first: check that crates.io (or your cargo mirror) is reachable from the builder" >&2
    exit 3
  fi
  rm -rf /home/builder/cargo-src
  echo "py2distro-build: vendored $(find "$vendor" -mindepth 1 -maxdepth 1 -type d | wc -l) Rust crates for the offline build"
}
use_vendored_crates() {
  [ -d "$vendor" ] || return 0
  mkdir -p /home/builder/.cargo
  printf '[source.crates-io]\nreplace-with = "vendored"\n\n[source.vendored]\ndirectory = "%s"\n\n[net]\noffline = true\n' "$vendor" > /home/builder/.cargo/config.toml
  chown -R builder:builder /home/builder/.cargo
}

dnf_opts="-y -q --setopt=keepcache=True --setopt=cachedir=$cache/dnf --setopt=install_weak_deps=False"
if [ "$mode" = dnf ]; then
  if [ "$step" = deps ] && [ -d /py2distro/localrepo ]; then
    rm -rf "$cache/localrepo" && mkdir -p "$cache/localrepo"
    find /py2distro/localrepo -name '*.rpm' ! -name '*.src.rpm' -type f -exec cp -t "$cache/localrepo" {} +
    createrepo_c -q "$cache/localrepo"
  fi
  if [ -d "$cache/localrepo/repodata" ]; then
    printf '[py2distro-local]\nname=py2distro local\nbaseurl=file://%s/localrepo\ngpgcheck=0\nenabled=1\n' \
      "$cache" > /etc/yum.repos.d/py2distro-local.repo
  fi
fi

# Install every RPM the deps rounds downloaded, from the cache only (no network here).
install_cached() {
  rpms=$(find "$cache/dnf" -name '*.rpm' -type f 2>/dev/null || true)
  # shellcheck disable=SC2086
  [ -z "$rpms" ] || dnf $dnf_opts --disablerepo='*' install $rpms
}

# Is this build output one of the files render asked for? (py2distro checks again on the host.)
expected() {
  for p in ${PY2DISTRO_PACKAGES:?}; do
    case "$1" in "${p}-${PY2DISTRO_VR:?}."*.rpm) case "$1" in *.src.rpm) ;; *) return 0 ;; esac ;; esac
  done
  [ "$1" = "${PY2DISTRO_SOURCE:?}-${PY2DISTRO_VR}.src.rpm" ]
}

case "$step:$mode" in
deps:dnf)
  prepare_tree
  # Static BuildRequires first (dnf reads our spec), then what the last buildreqs round asked for.
  # shellcheck disable=SC2086
  dnf $dnf_opts builddep "$work/SPECS/$(basename "$spec")"
  for srpm in "$cache"/buildreqs/*.buildreqs.nosrc.rpm; do
    # shellcheck disable=SC2086
    if [ -f "$srpm" ]; then dnf $dnf_opts builddep "$srpm"; fi
  done
  vendor_crates
  ;;
deps:none)
  echo "py2distro-build: this image resolves no BuildRequires (PY2DISTRO_RPM_DEPS=none); its apt stands in"
  mkdir -p "$cache/apt/archives/partial" "$cache/apt/lists/partial"
  if ! host_satisfied; then
    # shellcheck disable=SC2086
    apt-get $apt_opts update
    # shellcheck disable=SC2086
    apt-get $apt_opts --download-only satisfy "$(host_relations)"
    [ -z "$cargo_lock" ] || apt-get $apt_opts --no-download satisfy "$(host_relations)" >/dev/null
  fi
  vendor_crates
  ;;
buildreqs:dnf)
  mkdir -p "$cache/buildreqs"
  install_cached
  use_vendored_crates
  prepare_tree
  rc=0; as_builder_rpmbuild -br "$work/SPECS/$(basename "$spec")" || rc=$?
  rm -f "$cache"/buildreqs/*.nosrc.rpm
  if [ "$rc" = 0 ]; then echo done > "$cache/buildreqs/status"; exit 0; fi
  # rpmbuild -br exits 11 when %generate_buildrequires asks for what is not installed.
  [ "$rc" = 11 ] || exit "$rc"
  find "$work/SRPMS" -maxdepth 1 -name '*.buildreqs.nosrc.rpm' -type f -exec cp -t "$cache/buildreqs" {} +
  echo more > "$cache/buildreqs/status"
  ;;
buildreqs:none)
  # No %generate_buildrequires in this flavour's spec: nothing to ask.
  mkdir -p "$cache/buildreqs" && echo done > "$cache/buildreqs/status"
  ;;
build:*)
  if [ "$mode" = dnf ]; then
    install_cached
    nodeps=
  else
    # shellcheck disable=SC2086
    host_satisfied || apt-get $apt_opts --no-download satisfy "$(host_relations)"
    # Our own packages this build needs (built earlier): no RPM database to resolve them against.
    if [ -d /py2distro/localrepo ]; then
      find /py2distro/localrepo -name '*.rpm' ! -name '*.src.rpm' -type f -exec rpm -i --nodeps --noscripts --replacefiles --replacepkgs {} +
    fi
    nodeps=--nodeps
  fi
  use_vendored_crates
  prepare_tree
  as_builder_rpmbuild -ba $nodeps "$work/SPECS/$(basename "$spec")"
  : > /py2distro/out/py2distro-unexpected
  for f in $(find "$work/RPMS" "$work/SRPMS" -name '*.rpm' \( -type f -o -type l \)); do
    name=$(basename "$f")
    if [ -f "$f" ] && [ ! -L "$f" ] && expected "$name"; then cp "$f" /py2distro/out/; else printf '%s\n' "$name" >> /py2distro/out/py2distro-unexpected; fi
  done
  # What the built package really ships: its dist-info METADATA (or egg-info PKG-INFO + requires.txt).
  for rpm in /py2distro/out/*.rpm; do
    case "$rpm" in *.src.rpm) continue ;; esac
    rpm2cpio "$rpm" | cpio -i --quiet --to-stdout '*.dist-info/METADATA' > /py2distro/out/package-METADATA 2>/dev/null || true
    [ -s /py2distro/out/package-METADATA ] && break
    rpm2cpio "$rpm" | cpio -i --quiet --to-stdout '*.egg-info/PKG-INFO' > /py2distro/out/package-METADATA 2>/dev/null || true
    rpm2cpio "$rpm" | cpio -i --quiet --to-stdout '*.egg-info/requires.txt' > /py2distro/out/package-requires.txt 2>/dev/null || true
    [ -s /py2distro/out/package-METADATA ] && break
  done
  ;;
*) echo "py2distro-build: unknown step $step" >&2; exit 2 ;;
esac
