#!/usr/bin/env bash
# Runs the cgroup-dependent integration tests on a cgroup-v2 kernel. This project's CI host has cgroup
# v1, so the script builds on the host, then boots User-Mode Linux (a 6.1 kernel as an ordinary
# process, cgroup v2 only: ../shared/uml/run-v2.sh) and runs the tests inside with the JUnit launcher.
# Its last line is "cgroup-v2: N passed, N failed, N skipped"; it exits non-zero when any failed.
#
# Needs: root, apt-get install -y user-mode-linux busybox-static, and the library built (mvn install).
# Usage: src/test/uml/run-cgroup-v2-tests.sh [TEST_CLASS...]
set -euo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
uml=${CONTAINERIZED_UML:-$top/../shared/uml/run-v2.sh}
[ -x "$uml" ] || { echo "run-cgroup-v2-tests: $uml not found (set CONTAINERIZED_UML)"; exit 2; }
cd "$top"

classes=("$@")
if [ ${#classes[@]} -eq 0 ]; then
  classes=(dev.containerized.cgroupv2.CgroupV2Tests
           dev.containerized.container.CgroupLimitTests
           dev.containerized.container.CgroupPlacementTests
           dev.containerized.container.ContainerTests
           dev.containerized.container.Pid1RunTests)
fi

mvn -B -ntp -q test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test-classpath.txt
mkdir -p target/uml
guest=target/uml/guest-tests.sh
# Inside the guest the host's / is read-only and /tmp is the guest's own: the project is mounted
# read-write (it may live under /tmp), the rootfs cache goes to the guest's /tmp.
java="$(command -v java) -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Drunner.label=cgroup-v2 -Dcontainerized.cacheDir=/tmp/containerized-cache"
java="$java -cp target/classes:target/test-classes:$(cat target/test-classpath.txt) dev.containerized.TestClassRunner"
cat > "$guest" <<GUEST
#!/bin/sh
cd "$top"
$java ${classes[*]}
first=\$?
# The nested case: a CI container with its own cgroup namespace, whose root holds the test JVM.
mkdir /sys/fs/cgroup/ci
echo \$\$ > /sys/fs/cgroup/ci/cgroup.procs
CONTAINERIZED_NESTED_CGROUPNS=1 unshare --cgroup --mount sh -c \\
  'umount /sys/fs/cgroup && mount -t cgroup2 -o nsdelegate cgroup2 /sys/fs/cgroup && exec $java dev.containerized.cgroupv2.NestedCgroupNamespaceTests'
second=\$?
[ \$first -eq 0 ] && [ \$second -eq 0 ]
GUEST
chmod +x "$guest"
start=$(date +%s)
set +e
"$uml" -m 3G -t 1800 -w "$top" -C "$top" -l target/uml/console.log "$guest" > target/uml/output.log 2>&1
status=$?
set -e
grep -vE '^PASSED ' target/uml/output.log
echo "run-cgroup-v2-tests: wall time $(( $(date +%s) - start )) s; full output in target/uml/output.log"
exit "$status"
