#!/usr/bin/env bash
# Prepares PostgreSQL for EvalVault on the local server, idempotently: starts the
# cluster if it is down, waits until it accepts connections, then creates the roles,
# the databases (evalvault for running, evalvault_test for tests) and one schema per service.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
host="${PGHOST:-127.0.0.1}"
port="${PGPORT:-5432}"
admin="${PGADMIN_USER:-postgres}"
log() { echo "[postgres] $*" >&2; }

if ! pg_isready -h "$host" -p "$port" -q; then
  if command -v pg_ctlcluster >/dev/null && [[ -d /etc/postgresql ]]; then
    version="$(ls /etc/postgresql | sort -V | tail -n 1)"
    log "starting cluster $version/main"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  fi
  for _ in $(seq 1 60); do pg_isready -h "$host" -p "$port" -q && break; sleep 0.5; done
  pg_isready -h "$host" -p "$port" -q || { log "PostgreSQL does not accept connections on $host:$port"; exit 1; }
fi

for db in ${EVALVAULT_DATABASES:-evalvault evalvault_test}; do
  PGOPTIONS="-c client_min_messages=warning" psql -h "$host" -p "$port" -U "$admin" -d postgres -q -v ON_ERROR_STOP=1 -v db="$db" -f "$here/setup.sql" >/dev/null
  log "database $db ready (roles evalvault, evalvault_<service>; schemas eventstore + one per service)"
done
