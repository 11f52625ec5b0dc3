#!/usr/bin/env bash
# Creates, once, a Debian 13 "trixie" root filesystem (glibc 2.41) for the cgroup-v2 guest
# (run-cgroup-v2-tests.sh --root DIR), and reuses it when it is already complete, so repeated CI runs
# on one machine do not bootstrap again. Prints the root's path on its last line.
#
# What the guest run needs from the root, besides minbase (coreutils, util-linux's unshare, mount,
# libc-bin's ldd, bash, libstdc++ and zlib for the host's JDK): busybox-static, because the
# built-in rootfs of the containers takes /usr/bin/busybox when it is static and otherwise
# falls back to host programs (ps, ...) that minbase lacks. The JDK, the Maven repository and the
# project are not in the root: the guest mounts them from the host.
#
# The root is built in DIR.new and renamed to DIR only after it passed its checks, with a marker
# written last; a marker from a different recipe (packages, suite, mirror) makes it rebuild.
# Needs: root, debootstrap (apt-get install -y debootstrap), network access to the mirror.
# Usage: src/test/uml/trixie-root.sh [DIR]
#   DIR defaults to $CONTAINERIZED_TRIXIE_ROOT, else /var/cache/containerized-ci/trixie.
#   The mirror is $CONTAINERIZED_DEBIAN_MIRROR, else http://deb.debian.org/debian.
set -euo pipefail
export PATH=$PATH:/usr/sbin:/sbin   # debootstrap and chroot, also when root came by plain su
dir=${1:-${CONTAINERIZED_TRIXIE_ROOT:-/var/cache/containerized-ci/trixie}}
mirror=${CONTAINERIZED_DEBIAN_MIRROR:-http://deb.debian.org/debian}
suite=trixie
include=busybox-static
# What the guest run uses from the root; checked before the root counts as complete.
commands=(sh bash busybox ldd unshare mount umount mkdir sleep true)
libraries=(libstdc++.so.6 libz.so.1 libgcc_s.so.1)

case "$dir" in /*) ;; *) dir=$(pwd)/$dir;; esac
case "$dir" in *" "*|/) echo "trixie-root: unusable directory '$dir' (no spaces: the guest gets it on its kernel command line)" >&2; exit 2;; esac
recipe="debootstrap --variant=minbase --include=$include $suite $mirror"
marker=$dir/.containerized-root

if [ -f "$marker" ] && [ "$(cat "$marker")" = "$recipe" ]; then
  echo "trixie-root: reusing $dir ($(cat "$dir/etc/debian_version" 2>/dev/null))" >&2
  echo "$dir"
  exit 0
fi
[ "$(id -u)" = 0 ] || { echo "trixie-root: needs root (debootstrap)" >&2; exit 2; }
command -v debootstrap >/dev/null || { echo "trixie-root: debootstrap is not installed (apt-get install -y debootstrap)" >&2; exit 2; }

mkdir -p "$(dirname "$dir")"
# One builder at a time on this machine; a second waits and then finds the root complete.
exec 9>"$dir.lock"
flock 9
if [ -f "$marker" ] && [ "$(cat "$marker")" = "$recipe" ]; then
  echo "trixie-root: $dir was completed meanwhile" >&2
  echo "$dir"
  exit 0
fi

# Unmounts whatever an interrupted debootstrap left mounted (proc, sys) below $1, then removes $1.
remove() {
  local m
  for m in $(awk -v p="$1/" 'index($2, p) == 1 { print $2 }' /proc/mounts | sort -r); do
    umount -l "$m" || true
  done
  rm -rf --one-file-system "$1"
}

new=$dir.new
remove "$new"
start=$(date +%s)
echo "trixie-root: $recipe -> $new" >&2
if ! debootstrap --variant=minbase --include="$include" "$suite" "$new" "$mirror" >"$dir.log" 2>&1; then
  tail -n 30 "$dir.log" >&2
  echo "trixie-root: debootstrap failed; full log in $dir.log" >&2
  exit 1
fi
# The downloaded packages are not needed any more.
rm -rf "$new"/var/cache/apt/archives/*.deb

missing=()
for c in "${commands[@]}"; do
  chroot "$new" sh -c "command -v $c" >/dev/null 2>&1 || missing+=("$c")
done
for l in "${libraries[@]}"; do
  chroot "$new" sh -c "ldconfig -p | grep -q '$l '" || missing+=("$l")
done
busybox=$(chroot "$new" sh -c 'command -v busybox' || true)
[ -n "$busybox" ] && ! chroot "$new" ldd "$busybox" >/dev/null 2>&1 || missing+=("a static busybox")
[ ${#missing[@]} -eq 0 ] || { echo "trixie-root: the new root lacks: ${missing[*]}" >&2; exit 1; }

remove "$dir"
mv "$new" "$dir"
echo "$recipe" > "$marker.tmp" && mv "$marker.tmp" "$marker"
echo "trixie-root: made $dir in $(( $(date +%s) - start )) s: Debian $(cat "$dir/etc/debian_version"), $(chroot "$dir" ldd --version | head -n 1)" >&2
echo "$dir"
