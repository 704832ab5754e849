// `npm start`: runs the six services, each in its own process on its default port, until
// Ctrl-C, which stops them all cleanly. The runs service needs PostgreSQL and Kafka: when
// DATABASE_URL / KAFKA_BROKERS are not given, the local ones are prepared first
// (infra/postgres/setup.sh, infra/kafka/kafka.sh, npm run migrate). The single-process
// embedded platform without Kafka or a database server replaces this (see README "Status").
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = join(import.meta.dirname, '..');
const env = { ...process.env };
const dataDir = resolve(env.EVALVAULT_DATA_DIR ?? join(root, '.evalvault'));

/** A secret made once and kept in the data directory (mode 600), handed to the services by reference. */
function secretFile(name) {
  const dir = join(dataDir, 'secrets');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, name);
  if (!existsSync(path)) writeFileSync(path, randomBytes(32).toString('base64url'), { mode: 0o600 });
  return `file:${path}`;
}
env.EVALVAULT_INTERNAL_SECRET_REF ??= secretFile('internal-identity');
env.EVALVAULT_API_KEY_PEPPER_REF ??= secretFile('api-key-pepper');
const issuedMarker = join(dataDir, 'secrets', 'bootstrap-key-issued');
if (!env.EVALVAULT_BOOTSTRAP_ADMIN_KEY && !existsSync(issuedMarker)) {
  env.EVALVAULT_BOOTSTRAP_ADMIN_KEY = `evk_${randomBytes(6).toString('hex')}_${randomBytes(32).toString('base64url')}`;
  writeFileSync(issuedMarker, 'a bootstrap admin key was generated and printed once; only its hash is stored\n');
  console.error(`\nAdmin API key for project "default" (shown once, keep it):\n  ${env.EVALVAULT_BOOTSTRAP_ADMIN_KEY}\n`);
}
if (!env.DATABASE_URL || !env.KAFKA_BROKERS) {
  console.error('Preparing the local PostgreSQL and Kafka broker (set DATABASE_URL and KAFKA_BROKERS to use others)...');
  execFileSync('bash', [join(root, 'infra/postgres/setup.sh')], { stdio: 'inherit' });
  execFileSync('bash', [join(root, 'infra/kafka/kafka.sh'), 'start'], { stdio: 'inherit' });
  env.DATABASE_URL ??= 'postgres://evalvault@127.0.0.1:5432/evalvault';
  env.KAFKA_BROKERS ??= '127.0.0.1:9092';
}
for (const service of ['runs', 'gateway', 'registry', 'notifier', 'audit']) execFileSync(process.execPath, [join(root, `services/${service}/dist/migrate.js`)], { env, stdio: 'inherit' });

const services = { gateway: 8080, runs: 8081, registry: 8082, memory: 8083, audit: 8084, notifier: 8085 };
let stopping = false;
const children = Object.entries(services).map(([name, defaultPort]) => {
  const port = name === 'gateway' && env.PORT ? env.PORT : String(defaultPort);
  const child = spawn(process.execPath, [join(root, 'services', name, 'dist', 'main.js')], { env: { ...env, PORT: port }, stdio: 'inherit' });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`${name} exited (${signal ?? code}); stopping the others`);
      stop(1);
    }
  });
  return child;
});

function stop(exitCode = 0) {
  if (stopping) return;
  stopping = true;
  let alive = children.filter((child) => child.exitCode === null).length;
  if (alive === 0) process.exit(exitCode);
  for (const child of children) {
    if (child.exitCode !== null) continue;
    child.once('exit', () => { if (--alive === 0) process.exit(exitCode); });
    child.kill('SIGTERM');
  }
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
const gateway = `http://127.0.0.1:${env.PORT ?? 8080}`;
console.error(`EvalVault starting: ${gateway} (Ctrl-C stops all). Try:\n  curl -H "Authorization: Bearer <admin key>" ${gateway}/v1/projects/default/runs`);
