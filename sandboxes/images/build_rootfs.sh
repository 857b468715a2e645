#!/usr/bin/env bash
# Build the sandbox image offline: a Debian rootfs from the apt mirror, imported into Docker.
#
#   bash sandboxes/images/build_rootfs.sh              # build (or reuse) and print the tag
#   bash sandboxes/images/build_rootfs.sh --print-tag  # only print the tag it would build
#
# No registry is needed: debootstrap fetches Debian packages from the mirror
# this machine's apt already uses (/etc/apt/sources.list or
# /etc/apt/sources.list.d/*), and `tar | docker import` turns the directory
# into an image. The tag is arollout-sandbox:<hash>, the hash covering every
# build input (this file, which holds the suite, variant and package list, and
# the mirror URL); an existing tag is reused, so a second call costs a second.
# The tag arollout-sandbox:latest (DockerPool's default image) is pointed at it.
#
# The image holds only Debian's python3 and the biomedical stack: the sandbox
# runner is bind-mounted read-only into each container at start (see
# sandboxes/docker.py), so a change to sandboxes/runner.py never needs a rebuild.
#
# Environment:
#   AROLLOUT_DEBIAN_MIRROR   mirror URL (default: read from the apt configuration)
#   AROLLOUT_SANDBOX_IMAGE   image repository (default arollout-sandbox)
set -euo pipefail

SUITE=bookworm
VARIANT=minbase
# Debian packages only (no pip): numpy links Debian's reference BLAS, which is
# single-threaded, as the zygote wants anyway.
PACKAGES=python3,python3-numpy,python3-pandas,python3-scipy,python3-statsmodels,python3-sklearn
REPO=${AROLLOUT_SANDBOX_IMAGE:-arollout-sandbox}
SELF=${BASH_SOURCE[0]}

# The first "deb" entry for $SUITE itself (not -updates or -security), in
# either the one-line format or the deb822 format of *.sources files.
apt_mirror() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    awk -v suite="$SUITE" '
      $1 == "deb" {
        i = 2
        if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
        if ($(i + 1) == suite) { print $i; exit }
      }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk -v suite="$SUITE" '
      function flush() {
        if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " suite " ") && uris != "") {
          split(uris, u, " "); print u[1]; found = 1
        }
        types = suites = uris = ""
      }
      /^[ \t]*$/ { flush(); if (found) exit; next }
      /^[ \t]*#/ { next }
      tolower($1) == "types:"  { $1 = ""; types = substr($0, 2) }
      tolower($1) == "uris:"   { $1 = ""; uris = substr($0, 2) }
      tolower($1) == "suites:" { $1 = ""; suites = substr($0, 2) }
      END { if (!found) flush() }' "$f"
  done
}

MIRROR=${AROLLOUT_DEBIAN_MIRROR:-$(apt_mirror | head -n 1)}
if [ -z "$MIRROR" ]; then
  echo "build_rootfs: no '$SUITE' entry in the apt configuration; set AROLLOUT_DEBIAN_MIRROR" >&2
  exit 1
fi
HASH=$( { cat "$SELF"; echo "mirror=$MIRROR"; } | sha256sum | cut -c1-12)
TAG=$REPO:$HASH

if [ "${1:-}" = --print-tag ]; then
  echo "$TAG"
  exit 0
fi
if docker image inspect "$TAG" >/dev/null 2>&1; then
  docker tag "$TAG" "$REPO:latest"
  echo "build_rootfs: $TAG exists (inputs unchanged)" >&2
  echo "$TAG"
  exit 0
fi

if ! command -v debootstrap >/dev/null 2>&1; then
  echo "build_rootfs: installing Debian debootstrap" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap >/dev/null \
    || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap >/dev/null; }
fi

t0=$(date +%s)
ROOT=$(mktemp -d /var/tmp/arollout-rootfs.XXXXXX)
trap 'rm -rf "$ROOT"' EXIT
echo "build_rootfs: debootstrap $SUITE ($VARIANT) from $MIRROR" >&2
debootstrap --variant="$VARIANT" --components=main --include="$PACKAGES" \
  "$SUITE" "$ROOT" "$MIRROR" >"$ROOT.log" 2>&1 \
  || { tail -n 30 "$ROOT.log" >&2; rm -f "$ROOT.log"; exit 1; }
rm -f "$ROOT.log"

# python3-scipy depends on pythran, which drags in a C++ toolchain, Boost
# and every -dev package (about 500 MB) that nothing imports at run time.
# Purging them (dependencies be damned: nobody runs apt in a sandbox) leaves
# the runtime libraries (libstdc++6, libgfortran5, libopenblas0) in place, and
# a sandbox without a compiler is no loss.
BUILD_ONLY='(-dev|^(cpp|gcc|g\+\+)(-[0-9]+)?|^binutils.*|^lib(asan|tsan|lsan|ubsan|hwasan|itm|cc1-|gprofng|isl|mpc|ctf|binutils).*|^libc-dev-bin|^rpcsvc-proto)$'
purge=$(chroot "$ROOT" dpkg-query -W -f '${Package}\n' | grep -E "$BUILD_ONLY" || true)
if [ -n "$purge" ]; then
  # shellcheck disable=SC2086 # one package name per word
  chroot "$ROOT" dpkg --purge --force-depends $purge >/dev/null 2>&1
fi
chroot "$ROOT" python3 -c 'import numpy, pandas, scipy.stats, statsmodels.api, sklearn, sqlite3' \
  || { echo "build_rootfs: the stack does not import after the purge" >&2; exit 1; }

# Smaller image, same behaviour: package caches and lists, documentation,
# translations and the apt/dpkg tooling state nobody runs in a sandbox.
rm -rf "$ROOT"/var/cache/apt/* "$ROOT"/var/lib/apt/lists/* "$ROOT"/var/cache/debconf/*-old \
  "$ROOT"/usr/share/doc/* "$ROOT"/usr/share/man/* "$ROOT"/usr/share/info/* \
  "$ROOT"/usr/share/locale/* "$ROOT"/var/log/* "$ROOT"/tmp/* "$ROOT"/var/tmp/*
mkdir -p "$ROOT/workdir" "$ROOT/data" "$ROOT/opt/arollout/sandboxes"

tar --numeric-owner -C "$ROOT" -c . | docker import \
  --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8' \
  --change 'USER 65534:65534' \
  --change 'WORKDIR /workdir' \
  --change 'CMD ["sleep", "infinity"]' \
  --message "arollout sandbox: Debian $SUITE $VARIANT + $PACKAGES from $MIRROR" \
  - "$TAG" >/dev/null
docker tag "$TAG" "$REPO:latest"
size=$(docker image inspect --format '{{.Size}}' "$TAG")
echo "build_rootfs: built $TAG ($((size / 1048576)) MiB) in $(( $(date +%s) - t0 ))s" >&2
echo "$TAG"
