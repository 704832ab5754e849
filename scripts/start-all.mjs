// `npm run start:distributed`: runs the six services, each in its own process, until Ctrl-C,
// which stops them all cleanly. A service that exits on its own is started again with backoff
// (1 s doubling to 30 s, reset once it has stayed up a minute): one crash is not an outage.
// Ports: EVALVAULT_BASE_PORT (default 8080) for the gateway, the next five for the others. The
// runs service needs PostgreSQL and Kafka: when DATABASE_URL / KAFKA_BROKERS are not given, the
// local ones are prepared first (infra/postgres/setup.sh, infra/kafka/kafka.sh); pending
// migrations are applied either way. The single-process embedded platform without Kafka or a
// database server replaces this (see README "Status").
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { serviceAllocatorEnv } from '../libs/platform/dist/service/native-allocator.js';

const root = join(import.meta.dirname, '..');
const env = { ...process.env };
const dataDir = resolve(env.EVALVAULT_DATA_DIR ?? join(root, '.evalvault'));

/** A secret made once and kept in the data directory (mode 600), handed to the services by reference. */
function secretFile(name, generate = () => randomBytes(32).toString('base64url')) {
  const dir = join(dataDir, 'secrets');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, name);
  if (!existsSync(path)) writeFileSync(path, generate(), { mode: 0o600 });
  return `file:${path}`;
}
env.EVALVAULT_INTERNAL_SECRET_REF ??= secretFile('internal-identity');
env.EVALVAULT_API_KEY_PEPPER_REF ??= secretFile('api-key-pepper');
// The generated admin key is kept in the data directory (mode 600) like the embedded platform's,
// and printed only on a terminal: captured output (CI logs, a journal) must not hold it.
const adminKeyFile = join(dataDir, 'secrets', 'bootstrap-admin-key');
const issuedMarker = join(dataDir, 'secrets', 'bootstrap-key-issued'); // left by starts that printed it once
let adminKeyNote = 'from EVALVAULT_BOOTSTRAP_ADMIN_KEY';
if (!env.EVALVAULT_BOOTSTRAP_ADMIN_KEY && existsSync(adminKeyFile)) {
  env.EVALVAULT_BOOTSTRAP_ADMIN_KEY = readFileSync(adminKeyFile, 'utf8').trim();
  adminKeyNote = `kept in ${adminKeyFile}`;
} else if (!env.EVALVAULT_BOOTSTRAP_ADMIN_KEY && !existsSync(issuedMarker)) {
  secretFile(
    'bootstrap-admin-key',
    () => `evk_${randomBytes(6).toString('hex')}_${randomBytes(32).toString('base64url')}`,
  );
  env.EVALVAULT_BOOTSTRAP_ADMIN_KEY = readFileSync(adminKeyFile, 'utf8').trim();
  adminKeyNote = `kept in ${adminKeyFile}`;
} else if (!env.EVALVAULT_BOOTSTRAP_ADMIN_KEY) {
  adminKeyNote = 'printed once at the first start of this data directory';
}
const showKey = process.stderr.isTTY === true && adminKeyNote.startsWith('kept in');
console.error(
  `Admin API key of project "default" (${adminKeyNote})${showKey ? `:\n  ${env.EVALVAULT_BOOTSTRAP_ADMIN_KEY}` : ''}`,
);
/** A preparation step as a child process, its output shown; rejects when it fails. */
function step(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'inherit', ...options });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${args.at(-1)} exited with ${code}`))));
  });
}

let broker = Promise.resolve();
if (!env.DATABASE_URL || !env.KAFKA_BROKERS) {
  console.error(
    'Preparing the local PostgreSQL and Kafka broker (set DATABASE_URL and KAFKA_BROKERS to use others)...',
  );
  execFileSync('bash', [join(root, 'infra/postgres/setup.sh')], { stdio: 'inherit' });
  broker = step('bash', [join(root, 'infra/kafka/kafka.sh'), 'start']);
  env.DATABASE_URL ??= 'postgres://evalvault@127.0.0.1:5432/evalvault';
  env.KAFKA_BROKERS ??= '127.0.0.1:9092';
}
// Every service's pending migrations in one process (on a current database, one query and nothing
// applied), while the broker starts or is checked: the migrations need only PostgreSQL.
await Promise.all([broker, step(process.execPath, [join(root, 'scripts/migrate-all.mjs')], { env })]);

const base = Number(env.EVALVAULT_BASE_PORT ?? 8080);
const ports = {
  gateway: env.PORT ? Number(env.PORT) : base,
  runs: base + 1,
  registry: base + 2,
  memory: base + 3,
  audit: base + 4,
  notifier: base + 5,
};
for (const name of ['runs', 'registry', 'memory', 'audit', 'notifier'])
  env[`${name.toUpperCase()}_SERVICE_URL`] ??= `http://127.0.0.1:${ports[name]}`;
// The notifier's run links point at the gateway as started here (docs/services/notifier.md, "Links in messages").
const gatewayHost = !env.HOST || env.HOST === '0.0.0.0' || env.HOST === '::' ? '127.0.0.1' : env.HOST;
env.EVALVAULT_PUBLIC_URL ??= `http://${gatewayHost.includes(':') ? `[${gatewayHost}]` : gatewayHost}:${ports.gateway}`;

const RESTART = { initialMs: 1_000, maxMs: 30_000, stableMs: 60_000 };
let stopping = false;
const running = new Map(); // service name -> child process

// A young generation of 2 × 16 MB (docs/operations.md, "Memory"); NODE_OPTIONS given can override it.
const nodeOptions = `--max-semi-space-size=16 ${env.NODE_OPTIONS ?? ''}`.trim();

function launch(name, attempt = 0) {
  const child = spawn(process.execPath, [join(root, 'services', name, 'dist', 'main.js')], {
    // jemalloc when installed, else two malloc arenas (docs/operations.md, "Memory"); the environment's own wins.
    env: { ...env, ...serviceAllocatorEnv(env), PORT: String(ports[name]), NODE_OPTIONS: nodeOptions },
    stdio: 'inherit',
  });
  const startedAt = Date.now();
  running.set(name, child);
  console.error(
    JSON.stringify({
      level: 'info',
      service: 'start-all',
      msg: 'service started',
      name,
      pid: child.pid,
      port: ports[name],
    }),
  );
  child.on('exit', (code, signal) => {
    running.delete(name);
    if (stopping) return;
    const next = Date.now() - startedAt > RESTART.stableMs ? 0 : attempt + 1;
    const delay = Math.min(RESTART.maxMs, RESTART.initialMs * 2 ** Math.max(0, next - 1));
    console.error(
      JSON.stringify({
        level: 'error',
        service: 'start-all',
        msg: 'service exited; restarting',
        name,
        exit: signal ?? code,
        restartInMs: delay,
      }),
    );
    setTimeout(() => {
      if (!stopping) launch(name, next);
    }, delay).unref();
  });
}
for (const name of Object.keys(ports)) launch(name);

function stop() {
  if (stopping) return;
  stopping = true;
  let alive = running.size;
  if (alive === 0) process.exit(0);
  for (const child of running.values()) {
    child.once('exit', () => {
      if (--alive === 0) process.exit(0);
    });
    child.kill('SIGTERM');
  }
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
// Keeps the process alive while a restart is pending (its timer is unref'd so a stop is not held up).
setInterval(() => undefined, 1 << 30);
const gateway = `http://127.0.0.1:${ports.gateway}`;
const keyForCurl = showKey
  ? env.EVALVAULT_BOOTSTRAP_ADMIN_KEY
  : adminKeyNote.startsWith('kept in')
    ? `$(cat ${adminKeyFile})`
    : '<admin key>';
console.error(
  `EvalVault starting: ${gateway} (Ctrl-C stops all). Try:\n` +
    `  curl -H "Authorization: Bearer ${keyForCurl}" ${gateway}/v1/projects/default/runs`,
);
