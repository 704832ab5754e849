-- Idempotent: creates the roles, the database and one schema per service.
-- Run as a superuser: psql -v ON_ERROR_STOP=1 -v db=evalvault -f setup.sql
-- Each service logs in as its own role, which owns its schema and can read no other
-- service's schema: "services never read another service's tables" is enforced here.
SELECT 'CREATE ROLE evalvault LOGIN'
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'evalvault') \gexec
SELECT format('CREATE ROLE %I LOGIN', 'evalvault_' || s)
  FROM unnest(ARRAY['gateway','runs','registry','memory','audit','notifier']) AS s
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'evalvault_' || s) \gexec
SELECT format('GRANT %I TO evalvault', 'evalvault_' || s)
  FROM unnest(ARRAY['gateway','runs','registry','memory','audit','notifier']) AS s \gexec
SELECT format('CREATE DATABASE %I OWNER evalvault', :'db')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \gexec
\connect :db
-- The event store is shared: every service appends to it and reads from it.
CREATE SCHEMA IF NOT EXISTS eventstore AUTHORIZATION evalvault;
SELECT format('GRANT USAGE, CREATE ON SCHEMA eventstore TO %I', 'evalvault_' || s)
  FROM unnest(ARRAY['gateway','runs','registry','memory','audit','notifier']) AS s \gexec
-- The content store is shared too: the registry writes dataset content, the runs service reads it.
CREATE SCHEMA IF NOT EXISTS contentstore AUTHORIZATION evalvault;
SELECT format('GRANT USAGE, CREATE ON SCHEMA contentstore TO %I', 'evalvault_' || s)
  FROM unnest(ARRAY['gateway','runs','registry','memory','audit','notifier']) AS s \gexec
SELECT format('CREATE SCHEMA IF NOT EXISTS %I AUTHORIZATION %I', s, 'evalvault_' || s)
  FROM unnest(ARRAY['gateway','runs','registry','memory','audit','notifier']) AS s \gexec
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT ALL ON SCHEMA public TO evalvault;
