#!/usr/bin/env bash
# Runs the cgroup-dependent integration tests on a cgroup-v2 kernel. This project's CI host has cgroup
# v1, so the script builds on the host, then boots User-Mode Linux (a 6.1 kernel as an ordinary
# process, cgroup v2 only: ../shared/uml/run-v2.sh) and runs the tests inside with the JUnit launcher.
# By default the guest's userland is the host's own "/"; with --root it is another root filesystem,
# such as the Debian 13 "trixie" one (glibc 2.41) that trixie-root.sh makes, and the host's JDK,
# Maven repository and this project are mounted into it.
# Its last line is "cgroup-v2 (CODENAME, glibc X.Y): N passed, N failed, N skipped", the sum of the
# guest's two runs (the test classes, then the nested cgroup namespace); it exits non-zero when any
# test failed, none passed, or the guest did not finish.
#
# Needs: root, apt-get install -y user-mode-linux busybox-static, and the library built (mvn install).
# Usage: src/test/uml/run-cgroup-v2-tests.sh [--root DIR] [TEST_CLASS...]
#   --root DIR   the guest's root filesystem (default $CONTAINERIZED_UML_ROOT, else the host's "/")
set -euo pipefail

# The test classes run in the guest when none are named. The nested class runs separately, in the
# cgroup namespace the guest script sets up.
default_classes=(dev.containerized.cgroupv2.CgroupV2Tests
                 dev.containerized.container.CgroupLimitTests
                 dev.containerized.container.CgroupPlacementTests
                 dev.containerized.container.ContainerTests
                 dev.containerized.container.Pid1RunTests
                 dev.containerized.container.CgroupfsInsideTests
                 dev.containerized.container.CpuLimitTests
                 dev.containerized.container.JvmInsideTests
                 dev.containerized.junit.CpuLimitAnnotationTests)
nested_class=dev.containerized.cgroupv2.NestedCgroupNamespaceTests

root=${CONTAINERIZED_UML_ROOT:-/}
classes=()
while [ $# -gt 0 ]; do
  case $1 in
    --root) [ $# -ge 2 ] || { echo "run-cgroup-v2-tests: --root needs a directory"; exit 2; }; root=$2; shift 2;;
    --root=*) root=${1#--root=}; shift;;
    -h|--help) sed -n '2,14p' "$0"; exit 0;;
    -*) echo "run-cgroup-v2-tests: unknown option $1"; sed -n '13,14p' "$0"; exit 2;;
    *) classes+=("$1"); shift;;
  esac
done
[ ${#classes[@]} -gt 0 ] || classes=("${default_classes[@]}")

top=$(cd "$(dirname "$0")/../../.." && pwd)
uml=${CONTAINERIZED_UML:-$top/../shared/uml/run-v2.sh}
[ -x "$uml" ] || { echo "run-cgroup-v2-tests: $uml not found (set CONTAINERIZED_UML)"; exit 2; }
root=$(readlink -f "$root")
[ -x "$root/bin/sh" ] || { echo "run-cgroup-v2-tests: $root does not look like a root filesystem"; exit 2; }
cd "$top"

# Which userland the guest runs: its distribution's codename and its C library.
userland() {
  local codename glibc
  codename=$(. "$root/etc/os-release" && echo "${VERSION_CODENAME:-$ID}")
  if [ "$root" = / ]; then glibc=$(getconf GNU_LIBC_VERSION); else glibc=$(chroot "$root" getconf GNU_LIBC_VERSION); fi
  echo "$codename, $glibc"
}
label="cgroup-v2 ($(userland))"
# Each userland's guest script and logs in a folder of its own.
out=target/uml/$([ "$root" = / ] && echo host || (. "$root/etc/os-release" && echo "${VERSION_CODENAME:-$ID}"))

mvn -B -ntp -q test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt
classpath=$(cat target/test-classpath.txt)
# The JDK by its real path: on another root the host's /usr/bin/java alternatives link is not there.
javabin=$(readlink -f "$(command -v java)")
mounts=(-w "$top")
if [ "$root" != / ]; then
  javahome=$(dirname "$(dirname "$javabin")")
  mounts+=(-R "$javahome")
  # Debian's JDK keeps its configuration in /etc/java-N-openjdk, linked from lib/jvm.cfg and conf/.
  if [ -L "$javahome/lib/jvm.cfg" ]; then
    cfg=$(dirname "$(readlink -f "$javahome/lib/jvm.cfg")")
    case $cfg in "$javahome"/*) ;; *) mounts+=(-R "$cfg");; esac
  fi
  # The Maven repository: the deepest directory holding every dependency jar outside the project.
  repo=$(tr ':' '\n' <<<"$classpath" | grep '^/' | grep -v "^$top/" |
         awk -F/ 'NR == 1 { n = NF - 1; for (i = 1; i <= n; i++) p[i] = $i; next }
                  { for (i = 1; i <= n && i < NF && p[i] == $i; i++); n = i - 1 }
                  END { s = ""; for (i = 2; i <= n; i++) s = s "/" p[i]; print s }' || true)
  [ -n "$repo" ] && mounts+=(-R "$repo")
  mounts+=(-r "$root")
fi

mkdir -p "$out"
guest=$out/guest-tests.sh
# Inside the guest the root is read-only and /tmp is the guest's own: the project is mounted
# read-write (it may live under /tmp), the rootfs cache goes to the guest's /tmp.
java="$javabin -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Dcontainerized.cacheDir=/tmp/containerized-cache"
java="$java -cp target/classes:target/test-classes:$classpath"
runner=dev.containerized.TestClassRunner
cat > "$guest" <<GUEST
#!/bin/sh
cd "$top"
# With posix_spawnattr_setcgroup_np (glibc 2.39+) the runtime clones each init into its cgroup; without, it holds and moves it.
libc=\$(ldd /bin/sh | awk '/libc\.so/ { print \$3 }')
setcgroup=no; grep -q posix_spawnattr_setcgroup_np "\$libc" && setcgroup=yes
echo "[guest] userland: \$(. /etc/os-release && echo "\$PRETTY_NAME"), \$(getconf GNU_LIBC_VERSION), posix_spawnattr_setcgroup_np: \$setcgroup"
$java "-Drunner.label=$label" $runner ${classes[*]}
first=\$?
# The nested case: a CI container with its own cgroup namespace, whose root holds the test JVM.
mkdir /sys/fs/cgroup/ci
echo \$\$ > /sys/fs/cgroup/ci/cgroup.procs
CONTAINERIZED_NESTED_CGROUPNS=1 unshare --cgroup --mount sh -c \\
  'umount /sys/fs/cgroup && mount -t cgroup2 -o nsdelegate cgroup2 /sys/fs/cgroup && exec $java "-Drunner.label=$label nested" $runner $nested_class'
second=\$?
[ \$first -eq 0 ] && [ \$second -eq 0 ]
GUEST
chmod +x "$guest"
echo "run-cgroup-v2-tests: booting the guest on $([ "$root" = / ] && echo "the host's /" || echo "$root") ($label)"
start=$(date +%s)
set +e
"$uml" -m 3G -t 1800 "${mounts[@]}" -C "$top" -l "$out/console.log" "$guest" > "$out/output.log" 2>&1
status=$?
set -e
grep -vE '^PASSED ' "$out/output.log"
echo "run-cgroup-v2-tests: wall time $(( $(date +%s) - start )) s; full output in $out/output.log"
# The sum of the runner's closing lines, "LABEL: N passed, N failed, N skipped", one per run.
# The guest's console ends its lines with CR LF.
summary=$(tr -d '\r' < "$out/output.log" |
          { grep -E "^$(sed 's/[.()]/\\&/g' <<<"$label")( nested)?: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$" || true; } |
          awk -F': ' '{ split($NF, n, /[ ,]+/); p += n[1]; f += n[3]; s += n[5]; runs++ }
                      END { printf "%d %d %d %d", runs, p, f, s }')
read -r runs passed failed skipped <<<"$summary"
if [ "$runs" -ne 2 ]; then
  echo "$label: did not finish ($runs of 2 runs reported; exit status $status): $passed passed, $failed failed, $skipped skipped"
  [ "$status" -ne 0 ] || status=1
else
  echo "$label: $passed passed, $failed failed, $skipped skipped"
fi
exit "$status"
