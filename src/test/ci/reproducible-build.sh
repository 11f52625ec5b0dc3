#!/usr/bin/env bash
# Reproducible builds: builds this working tree twice from scratch, in two directories of different
# names and with different time zones and umasks, and compares every jar (library, cli, sources,
# javadoc) byte for byte by SHA-256. On a difference it names the entries that differ.
#   CONTAINERIZED_MAVEN_ARGS  more Maven arguments, such as -Dmaven.repo.local=/tmp/m2
set -euo pipefail
cd "$(dirname "$0")/../../.."
read -r -a maven_args <<< "${CONTAINERIZED_MAVEN_ARGS:-}"
work=$(mktemp -d /tmp/containerized-repro.XXXXXX)
trap 'rm -rf "$work"' EXIT

# The committed files and the new ones not ignored: what a fresh clone of this tree would hold.
files=$(mktemp "$work/files.XXXXXX")
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done > "$files"
build() {
  local dir=$1 tz=$2 mask=$3
  mkdir -p "$dir"
  tar -c --null -T "$files" | tar -x -C "$dir"
  (cd "$dir" && umask "$mask" && TZ=$tz mvn -B -q -ntp "${maven_args[@]}" -Dmaven.test.skip=true package)
}
build "$work/first" UTC 022
build "$work/second-build-elsewhere" Pacific/Kiritimati 002

status=0
count=0
for jar in "$work"/first/target/*.jar; do
  name=$(basename "$jar")
  other=$work/second-build-elsewhere/target/$name
  a=$(sha256sum "$jar" | cut -d' ' -f1)
  b=$( [ -f "$other" ] && sha256sum "$other" | cut -d' ' -f1 || echo missing)
  count=$((count + 1))
  if [ "$a" = "$b" ]; then
    echo "reproducible-build: same   $a  $name"
  else
    echo "reproducible-build: DIFFER $name: $a vs $b" >&2
    # The entries whose content differs (CRC), then those whose time or order differs.
    join <(unzip -v "$jar" | awk 'NR>3 && NF==8 {print $8, $7}' | sort) <(unzip -v "$other" | awk 'NR>3 && NF==8 {print $8, $7}' | sort) \
      | awk '$2 != $3 {print "  content differs: " $1}' | head -20 >&2
    diff <(unzip -Z -T "$jar" | sed 1d) <(unzip -Z -T "$other" | sed 1d) | head -10 >&2 || true
    status=1
  fi
done
[ "$count" -ge 4 ] || { echo "reproducible-build: expected 4 jars (library, cli, sources, javadoc), found $count" >&2; status=1; }
[ $status = 0 ] && echo "reproducible-build: $count jars, identical in two builds"
exit $status
