#!/usr/bin/env bash
# What a release publishes, checked after `mvn package`: the library jar (unshaded, module name, both
# PID 1 binaries, license), the runnable CLI jar (JNA inside, runs when copied alone, native access
# declared for JDK 22+), the sources and javadoc jars (public API only), and the POM's metadata.
# Needs root (the CLI jar runs a container).
set -euo pipefail
cd "$(dirname "$0")/../../.."
failures=0
fail() { echo "release-jars: FAIL: $*" >&2; failures=$((failures + 1)); }
ok() { echo "release-jars: ok: $*"; }
has() { unzip -Z1 "$1" | grep -x -- "$2" > /dev/null; }
manifest() { unzip -p "$1" META-INF/MANIFEST.MF | tr -d '\r'; }

lib=target/containerized.jar
clis=(target/containerized-*-cli.jar)
cli=${clis[0]}
for jar in "$lib" "$cli" target/containerized-sources.jar target/containerized-javadoc.jar; do
  [ -f "$jar" ] || { echo "release-jars: $jar is missing: run mvn package first" >&2; exit 1; }
done

for jar in "$lib" "$cli"; do
  for arch in x86_64 aarch64; do
    has "$jar" "dev/containerized/native/$arch/containerized-init" && ok "$jar carries the $arch PID 1" \
      || fail "$jar lacks dev/containerized/native/$arch/containerized-init"
    has "$jar" "dev/containerized/container/confine/docker-default-$arch.bpf" && ok "$jar carries the $arch default seccomp filter" \
      || fail "$jar lacks dev/containerized/container/confine/docker-default-$arch.bpf (the build's PrecompiledFilters step)"
  done
  if unzip -Z1 "$jar" | grep 'module-info.class$' > /dev/null; then fail "$jar holds a module-info.class"; fi
done
for arch in x86_64 aarch64; do
  file=$(mktemp)
  unzip -p "$lib" "dev/containerized/native/$arch/containerized-init" > "$file"
  case $arch in x86_64) machine="X86-64" ;; aarch64) machine="AArch64" ;; esac
  header=$(LC_ALL=C readelf -lh "$file" 2>/dev/null || true)
  if ! command -v readelf >/dev/null; then
    ok "the $arch PID 1 is there (no readelf to check its machine)"
  elif grep -q "Machine:.*$machine" <<< "$header" && grep -q "Type:.*EXEC" <<< "$header" && ! grep -q "INTERP" <<< "$header"; then
    ok "the $arch PID 1 is a static $machine executable"
  else
    fail "dev/containerized/native/$arch/containerized-init is not a static $machine executable"
  fi
  rm -f "$file"
done

manifest "$lib" | grep -x "Automatic-Module-Name: dev.containerized" > /dev/null && ok "$lib: Automatic-Module-Name dev.containerized" \
  || fail "$lib: no Automatic-Module-Name: dev.containerized"
if unzip -Z1 "$lib" | grep '^com/sun/jna/' > /dev/null; then fail "$lib has JNA inside: the library jar must stay unshaded"; else ok "$lib: JNA not inside"; fi
has "$lib" META-INF/LICENSE && ok "$lib: META-INF/LICENSE" || fail "$lib: no META-INF/LICENSE"

manifest "$cli" | grep -x "Main-Class: dev.containerized.cli.Main" > /dev/null && ok "$cli: Main-Class" || fail "$cli: no Main-Class"
manifest "$cli" | grep -x "Enable-Native-Access: ALL-UNNAMED" > /dev/null && ok "$cli: Enable-Native-Access: ALL-UNNAMED" \
  || fail "$cli: no Enable-Native-Access: ALL-UNNAMED"
for entry in com/sun/jna/Native.class com/sun/jna/linux-x86-64/libjnidispatch.so com/sun/jna/linux-aarch64/libjnidispatch.so \
    META-INF/LICENSE META-INF/NOTICE META-INF/AL2.0; do
  has "$cli" "$entry" && ok "$cli: $entry" || fail "$cli lacks $entry"
done

# The CLI jar alone, as a user who downloaded only it runs it.
alone=$(mktemp -d)
trap 'rm -rf "$alone"' EXIT
cp "$cli" "$alone/containerized-cli.jar"
out=$(cd "$alone" && java -jar containerized-cli.jar run --hostname alone -- sh -c 'echo "$(hostname) $$"' </dev/null 2>"$alone/err") \
  && [ "$out" = "alone 1" ] && ok "java -jar on the CLI jar alone runs a container: $out" \
  || fail "java -jar on the CLI jar alone: '$out', stderr: $(cat "$alone/err")"
status=0
(cd "$alone" && java -jar containerized-cli.jar run --bogus -- true </dev/null >/dev/null 2>"$alone/err") || status=$?
[ $status = 2 ] && grep -q "unknown option --bogus" "$alone/err" && ok "--bogus: exit 2, unknown option" \
  || fail "--bogus gave exit $status: $(head -1 "$alone/err")"
# JDK 22 and later warn about JNA's native calls unless the jar grants native access.
jdk=${CONTAINERIZED_NEW_JDK:-$(ls -d /usr/lib/jvm/*-2[5-9]* 2>/dev/null | head -1 || true)}
if [ -n "$jdk" ] && [ -x "$jdk/bin/java" ]; then
  (cd "$alone" && "$jdk/bin/java" -jar containerized-cli.jar run -- true </dev/null 2>"$alone/err") || true
  if grep -q "restricted method" "$alone/err"; then fail "$jdk: java -jar warns: $(head -1 "$alone/err")"
  else ok "$("$jdk/bin/java" -version 2>&1 | head -1): java -jar prints no restricted-method warning"; fi
else
  echo "release-jars: skipped the JDK 22+ check: no JDK 25 or later in /usr/lib/jvm (set CONTAINERIZED_NEW_JDK)"
fi

for entry in dev/containerized/container/Container.java dev/containerized/cli/Main.java dev/containerized/junit/Containerized.java; do
  has target/containerized-sources.jar "$entry" && ok "sources: $entry" || fail "sources jar lacks $entry"
done
for entry in dev/containerized/container/Container.html dev/containerized/container/RunResult.html \
    dev/containerized/junit/Containerized.html dev/containerized/assertj/ContainerizedAssertions.html dev/containerized/cli/Main.html; do
  has target/containerized-javadoc.jar "$entry" && ok "javadoc: $entry" || fail "javadoc jar lacks $entry"
done
if unzip -Z1 target/containerized-javadoc.jar | grep -E '^dev/containerized/(container/(host|cgroup|confine)|internal|rootfs)/' > /dev/null; then
  fail "the javadoc shows internal packages"
else
  ok "javadoc: no internal package"
fi

pom=$(unzip -p "$lib" META-INF/maven/dev.containerized/containerized/pom.xml)
for element in name description url licenses scm developers; do
  grep -q "<$element>" <<< "$pom" && ok "POM: <$element>" || fail "the POM lacks <$element>, which Maven Central requires"
done

[ $failures = 0 ] && echo "release-jars: all checks passed" || echo "release-jars: $failures checks failed" >&2
exit $(( failures > 0 ))
