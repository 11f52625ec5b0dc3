#!/usr/bin/env bash
# Builds the container's PID 1 (src/main/c/init) as a static executable for x86_64 and aarch64 and
# puts both where the jar carries them: OUT/dev/containerized/native/<arch>/containerized-init.
# Maven runs it in generate-resources. The compiler for this machine's own architecture is `gcc`;
# the other comes from Debian's cross compilers (gcc-aarch64-linux-gnu or gcc-x86-64-linux-gnu).
# CONTAINERIZED_NATIVE_ARCHES="x86_64" builds one only (a quick local build; not for a release).
# The output is reproducible: no paths, dates or build ids that differ between two builds.
set -euo pipefail
out=${1:?usage: build-init.sh OUTPUT_DIRECTORY}
src=$(cd "$(dirname "$0")/init" && pwd)
host=$(uname -m)
arches=${CONTAINERIZED_NATIVE_ARCHES:-"x86_64 aarch64"}

compiler_for() {
  local arch=$1 cross
  case $arch in
    x86_64) cross=x86_64-linux-gnu-gcc ;;
    aarch64) cross=aarch64-linux-gnu-gcc ;;
    *) echo "build-init: unknown architecture $arch" >&2; return 1 ;;
  esac
  if [ "$arch" = "$host" ] && command -v gcc >/dev/null; then echo gcc; return; fi
  if command -v "$cross" >/dev/null; then echo "$cross"; return; fi
  local packages
  case $arch in
    x86_64) packages="gcc-x86-64-linux-gnu libc6-dev-amd64-cross" ;;
    aarch64) packages="gcc-aarch64-linux-gnu libc6-dev-arm64-cross" ;;
  esac
  echo "build-init: no C compiler for $arch: apt-get install -y $packages; or set CONTAINERIZED_NATIVE_ARCHES=$host for a local build of this machine's architecture only" >&2
  return 1
}

for arch in $arches; do
  cc=$(compiler_for "$arch")
  target=$out/dev/containerized/native/$arch
  mkdir -p "$target"
  # Static: it runs in any root filesystem, with no loader or libc of the image's. Stripped, no build
  # id, sources by relative name: the same bytes from any checkout.
  (cd "$src" && "$cc" -std=gnu11 -Os -static -s -Wl,--build-id=none -ffile-prefix-map="$src"=. \
      -Wall -Wextra -Werror -Wno-unused-parameter -o "$target/containerized-init.tmp" ./*.c)
  mv "$target/containerized-init.tmp" "$target/containerized-init"
done
