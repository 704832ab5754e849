#!/usr/bin/env bash
# `npm start` and `npm test` on a fresh clone are the whole set-up: this puts Node 24 first on
# PATH when the machine's node is older (npm itself may be running under that older node),
# runs `npm ci` when node_modules is missing or older than package-lock.json, then the command.
# Usage: bash scripts/bootstrap.sh start|test [args passed on]
# Bash rather than node: it must work before Node 24 is there.
set -euo pipefail
cd "$(dirname "$0")/.."
command="${1:-}"
shift || true

# Every node and npm below (npm ci, nx, jest, the platform) runs on Node 24.
PATH="$(bash infra/node/ensure-node.sh):$PATH"
export PATH

# npm ci writes node_modules/.package-lock.json last: missing or older means not installed from this lock.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "evalvault: installing packages (npm ci)…" >&2
  npm ci --no-audit --no-fund
fi

case "$command" in
  start)
    node scripts/ensure-built.mjs
    # exec: node replaces this shell, so npm's SIGINT/SIGTERM reach the platform itself.
    # Semi-spaces of 4 MB instead of V8's default (16 MB or more): the idle platform's heap keeps
    # that much less garbage around (idle RSS 259 -> 212 MB; docs/performance.md "Start and memory").
    # Two malloc arenas instead of eight per core: freed native memory is reused instead of kept in a
    # thread's own arena (docs/operations.md, "Memory").
    export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
    exec node --max-semi-space-size=4 apps/embedded/dist/main.js "$@"
    ;;
  test)
    npm run build
    npm run check
    npm run deps:audit
    exec npm run test:all -- "$@"
    ;;
  *)
    echo "usage: bash scripts/bootstrap.sh start|test" >&2
    exit 2
    ;;
esac
