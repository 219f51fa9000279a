#!/bin/sh
# py2distro-build for RPM builder images. py2distro runs it twice per build, in two fresh
# containers with the same mounts:
#   py2distro-build deps    network on:  resolve BuildRequires (static and %generate_buildrequires)
#                           with dnf, keeping every downloaded RPM in the cache
#   py2distro-build build   network off: install those RPMs from the cache as root, then run
#                           rpmbuild as the unprivileged `builder` user and copy the artifacts out
# Mounts (the contract with src/stages/build/build.ts):
#   /py2distro/src       read-only: SPECS/<name>.spec and SOURCES/<tarball>
#   /py2distro/cache     read-write: dnf cache of this run, the local repo
#   /py2distro/out       read-write: artifacts, and package-METADATA from the built package
#   /py2distro/localrepo optional, read-only: RPMs py2distro built earlier (any layout)
# Environment: SOURCE_DATE_EPOCH, BUILD_JOBS, HOST_UID, HOST_GID; PY2DISTRO_RPM_DEPS from the image
# (dnf: resolve with dnf; none: the image's toolchain stands in for BuildRequires, rpmbuild --nodeps).
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

case "$step:$mode" in
deps:dnf)
  prepare_tree
  # Static BuildRequires first (dnf reads the spec), as mock does.
  # shellcheck disable=SC2086
  dnf $dnf_opts builddep "$work/SPECS/$(basename "$spec")"
  # %generate_buildrequires can ask for more once the first round is installed: loop until
  # rpmbuild -br stops reporting missing dependencies (exit 11) or nothing new appears.
  for round in 1 2 3 4 5; do
    rm -f "$work"/SRPMS/*.buildreqs.nosrc.rpm
    rc=0; as_builder_rpmbuild -br "$work/SPECS/$(basename "$spec")" || rc=$?
    [ "$rc" = 0 ] && break
    [ "$rc" = 11 ] || exit "$rc"
    # shellcheck disable=SC2086
    dnf $dnf_opts builddep "$work"/SRPMS/*.buildreqs.nosrc.rpm
    echo "py2distro-build: BuildRequires round $round installed"
  done
  ;;
deps:none)
  echo "py2distro-build: this image resolves no BuildRequires (PY2DISTRO_RPM_DEPS=none)"
  ;;
build:*)
  if [ "$mode" = dnf ]; then
    rpms=$(find "$cache/dnf" -name '*.rpm' -type f 2>/dev/null || true)
    # shellcheck disable=SC2086
    [ -z "$rpms" ] || dnf $dnf_opts --disablerepo='*' install $rpms
    nodeps=
  else
    nodeps=--nodeps
  fi
  prepare_tree
  as_builder_rpmbuild -ba $nodeps "$work/SPECS/$(basename "$spec")"
  find "$work/RPMS" "$work/SRPMS" -name '*.rpm' -type f -exec cp -t /py2distro/out {} +
  # What the built package really ships: its dist-info METADATA (or egg-info PKG-INFO + requires.txt).
  for rpm in "$work"/RPMS/*/*.rpm; do
    rpm2cpio "$rpm" | cpio -i --quiet --to-stdout '*.dist-info/METADATA' > /py2distro/out/package-METADATA 2>/dev/null || true
    [ -s /py2distro/out/package-METADATA ] && break
    rpm2cpio "$rpm" | cpio -i --quiet --to-stdout '*.egg-info/PKG-INFO' > /py2distro/out/package-METADATA 2>/dev/null || true
    rpm2cpio "$rpm" | cpio -i --quiet --to-stdout '*.egg-info/requires.txt' > /py2distro/out/package-requires.txt 2>/dev/null || true
    [ -s /py2distro/out/package-METADATA ] && break
  done
  ;;
*) echo "py2distro-build: unknown step $step" >&2; exit 2 ;;
esac
