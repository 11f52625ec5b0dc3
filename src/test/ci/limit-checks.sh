#!/usr/bin/env bash
# The run command line as a CI safety check: a step run under a pids and memory cap with --fail-on-limit
# passes, and the same check fails (exit 3) on a fork bomb and on a memory hog, so it is known to bite.
# Reports go to target/ci-reports: TEST-*.xml for the CI's test view, *.json for scripts.
# Needs root and a built target/containerized-*-cli.jar (mvn package). CONTAINERIZED_OPTS: see ci-job.sh.
set -euo pipefail
cd "$(dirname "$0")/../../.."
read -r -a opts <<< "${CONTAINERIZED_OPTS:-}"
jars=(target/containerized-*-cli.jar)
[ -f "${jars[0]}" ] || { echo "limit-checks: no target/containerized-*-cli.jar: build it first with mvn package" >&2; exit 1; }
cli=(java "${opts[@]}" -jar "${jars[0]}" run)
reports=target/ci-reports
rm -rf "$reports" && mkdir -p "$reports"

# A step of this repository under caps (the repository read-only at /src): must pass.
"${cli[@]}" --pids-limit 64 --memory 256m --timeout 5m --fail-on-limit -v "$PWD:/src" -w /src \
    --report "$reports/sample-step.json" --junit-xml "$reports/TEST-sample-step.xml" -- sh src/test/ci/sample-step.sh

# The same check on programs that hit the caps: exit 3, whatever the program's own status.
expect_limit_hit() {
  local name=$1 status=0
  shift
  "${cli[@]}" --fail-on-limit --timeout 2m --report "$reports/$name.json" "$@" || status=$?
  if [ "$status" != 3 ]; then
    echo "limit-checks: $name: expected exit 3 (a limit was hit), got $status; see $reports/$name.json" >&2
    exit 1
  fi
  echo "limit-checks: $name: exit 3, as expected"
}
# PID 1 waits 2 s while a subshell bombs (a PID 1 that exits ends its container at once, bomb and all).
expect_limit_hit fork-bomb --pids-limit 20 -- bash -c 'sleep 2 & s=$!; (:(){ :|:& };:) 2>/dev/null & wait $s'
expect_limit_hit memory-hog --memory 64m -- bash -c 'x=$(head -c 200000000 /dev/zero | tr "\0" x)'
