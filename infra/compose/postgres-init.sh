#!/usr/bin/env bash
# Run once by the postgres image on an empty data directory: the roles, database and schemas of
# infra/postgres/setup.sql (the same script the CI machines use).
set -euo pipefail
psql -v ON_ERROR_STOP=1 -v db=evalvault -U "${POSTGRES_USER:-postgres}" -d postgres -q -f /opt/evalvault/setup.sql
