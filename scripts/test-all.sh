#!/usr/bin/env bash
# Every tier of tests (README "Tests"), in two jest runs: the unit tier on two workers (its suites
# share nothing), then the integration and end-to-end tiers on one (they share the test database
# and the broker, and their suites assume nobody else is using them). Arguments go to both runs.
# Both runs always happen, so one tier's failure does not hide the other's; the exit code is the
# first failure's.
set -uo pipefail
cd "$(dirname "$0")/.."
export NODE_OPTIONS="--experimental-vm-modules --disable-warning=ExperimentalWarning --disable-warning=TimeoutNegativeWarning ${NODE_OPTIONS:-}"

npx jest --selectProjects unit --maxWorkers=2 --passWithNoTests "$@"
unit=$?
npx jest --selectProjects integration e2e --passWithNoTests "$@"
servers=$?

echo "tests: unit tier exit ${unit}, integration and e2e tiers exit ${servers}"
if (( unit != 0 )); then exit "$unit"; fi
exit "$servers"
