// `npm start`: runs the six services, each in its own process on its default port, until
// Ctrl-C, which stops them all cleanly. The runs service needs PostgreSQL and Kafka: when
// DATABASE_URL / KAFKA_BROKERS are not given, the local ones are prepared first
// (infra/postgres/setup.sh, infra/kafka/kafka.sh, npm run migrate). The single-process
// embedded platform without Kafka or a database server replaces this (see README "Status").
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const env = { ...process.env };
if (!env.DATABASE_URL || !env.KAFKA_BROKERS) {
  console.error('Preparing the local PostgreSQL and Kafka broker (set DATABASE_URL and KAFKA_BROKERS to use others)...');
  execFileSync('bash', [join(root, 'infra/postgres/setup.sh')], { stdio: 'inherit' });
  execFileSync('bash', [join(root, 'infra/kafka/kafka.sh'), 'start'], { stdio: 'inherit' });
  env.DATABASE_URL ??= 'postgres://evalvault@127.0.0.1:5432/evalvault';
  env.KAFKA_BROKERS ??= '127.0.0.1:9092';
}
execFileSync(process.execPath, [join(root, 'services/runs/dist/migrate.js')], { env, stdio: 'inherit' });

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
console.error(`EvalVault services starting: gateway http://127.0.0.1:${env.PORT ?? 8080}/healthz, runs http://127.0.0.1:8081/readyz (Ctrl-C stops all)`);
