#!/usr/bin/env bash
# The CI job of the README's "CI" section, as GitHub Actions and GitLab CI run it and .ci/run runs it
# here: build and test the library (installing it and its runnable jar), run the example tests that use
# it as a user would, then use the run command line as a CI safety check (limit-checks.sh).
# Runs as root: the tests and the checks create namespaces, cgroups and mounts for real.
#   CONTAINERIZED_MAVEN_ARGS  more Maven arguments, such as -Dmaven.repo.local=/tmp/m2
#   CONTAINERIZED_OPTS        system properties for the tests and the CLI, such as
#                             -Dcontainerized.cgroup.moveProcessesToLeaf=true in a privileged container on cgroup v2
set -euo pipefail
cd "$(dirname "$0")/../../.."
read -r -a maven_args <<< "${CONTAINERIZED_MAVEN_ARGS:-}"
read -r -a opts <<< "${CONTAINERIZED_OPTS:-}"

mvn -B -ntp "${maven_args[@]}" "${opts[@]}" install
mvn -B -ntp "${maven_args[@]}" "${opts[@]}" -f example-tests/pom.xml verify
src/test/ci/limit-checks.sh
