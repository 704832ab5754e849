// `npm run soak`: a bounded load and soak test on 127.0.0.1 only. Starts the six services in distributed
// mode on a Kafka broker and a database of its own, drives mixed run submissions and reads at a fixed rate
// for SOAK_SECONDS (default 60) from two tenants: `default` with API keys of three roles (admin, editor,
// viewer), and a second tenant whose editor, viewer and auditor sign in with OIDC tokens of a local issuer.
// Then reports throughput, p50/p99, answers by status (429s are the rate limit working; anything else
// non-2xx is an error), each process's memory (resident set, V8 heap, metric series) after warm-up, every
// 15 s, and at the end (RSS growth, the last minute's level against the first minute's, must stay
// under 10 %), and how long the consumer groups took to catch up (lag 0 within a minute). Stops by itself and stops
// everything it started. Options: SOAK_SECONDS, SOAK_RATE (requests/s, default 30), SOAK_WARMUP_SECONDS
// (default 30, the same mix), SOAK_KAFKA_PORT (default 29192), SOAK_DATABASE_URL (default: a database of
// its own on the local server, created, migrated and dropped), SOAK_HEAP_SNAPSHOTS (a directory: heap
// snapshots of every service after warm-up and at the end, for a profiling run; taking them moves the
// resident sets, so such a run's memory verdict means nothing).
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, openSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { serviceAllocatorEnv } from '../libs/platform/dist/service/native-allocator.js';
import { allocatorOf, memoryReport, memorySampler } from './soak-memory.mjs';
import { startTestOidcIssuer } from '../services/gateway/dist/auth/testing/index.js';

const root = join(import.meta.dirname, '..');
const seconds = Number(process.env.SOAK_SECONDS ?? 60);
const rate = Number(process.env.SOAK_RATE ?? 30);
const warmupSeconds = Number(process.env.SOAK_WARMUP_SECONDS ?? 30);
const kafkaPort = process.env.SOAK_KAFKA_PORT ?? '29192';
const snapshotDir = process.env.SOAK_HEAP_SNAPSHOTS;
const logDir = process.env.SOAK_LOG_DIR; // each service's log (level warn) kept there
const snapshotOptions = snapshotDir ? ` --heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${snapshotDir}` : '';
// A database of the soak's own, created and migrated here and dropped at the end: the services' relays and
// delivery workers would otherwise take up whatever else uses a shared one (tests running meanwhile).
const scratchDatabase = process.env.SOAK_DATABASE_URL ? null : `evalvault_soak_${randomBytes(4).toString('hex')}`;
const adminUrl = (database) => `postgres://${process.env.PGADMIN_USER ?? 'postgres'}@127.0.0.1:5432/${database}`;
const databaseUrl = process.env.SOAK_DATABASE_URL ?? adminUrl(scratchDatabase);
const work = mkdtempSync(join(tmpdir(), 'evalvault-soak-'));
const brokerEnv = {
  ...process.env,
  KAFKA_PORT: kafkaPort,
  KAFKA_CONTROLLER_PORT: String(Number(kafkaPort) + 1),
  EVALVAULT_KAFKA_INSTANCE: join(work, 'kafka'),
};
const tag = `soak-${randomUUID().slice(0, 8)}`;
const adminKey = `evk_${randomBytes(6).toString('hex')}_${randomBytes(32).toString('base64url')}`;
const services = ['runs', 'registry', 'memory', 'audit', 'notifier', 'gateway'];
const children = new Map();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function adminQuery(sql) {
  const client = new pg.Client({ connectionString: adminUrl('postgres') });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function freePort() {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address();
  server.close();
  return port;
}

async function startService(name, ports, oidc) {
  const upper = name.toUpperCase();
  const env = {
    ...process.env,
    ...serviceAllocatorEnv(process.env), // as every launcher of the services (docs/operations.md, "Memory")
    DATABASE_URL: databaseUrl,
    KAFKA_BROKERS: `127.0.0.1:${kafkaPort}`,
    HOST: '127.0.0.1',
    PORT: String(ports[name]),
    LOG_LEVEL: 'warn',
    NODE_OPTIONS: `--max-semi-space-size=16${snapshotOptions}`,
    EVALVAULT_OIDC_ISSUER: oidc.url,
    EVALVAULT_OIDC_JWKS_URI: oidc.jwksUri,
    SOAK_INTERNAL_SECRET: 'x'.repeat(43),
    EVALVAULT_INTERNAL_SECRET_REF: 'env:SOAK_INTERNAL_SECRET',
    SOAK_PEPPER: 'p'.repeat(43),
    EVALVAULT_API_KEY_PEPPER_REF: 'env:SOAK_PEPPER',
    EVALVAULT_BOOTSTRAP_ADMIN_KEY: adminKey,
    [`${upper}_RELAY_NAME`]: `${tag}-${name}`,
    [`${upper}_RELAY_START`]: 'latest',
    [`${upper}_CONSUMER_START`]: 'latest',
    [name === 'audit' ? 'AUDIT_GROUP_ID' : `${upper}_GROUP_PREFIX`]: `${tag}-${name}`,
  };
  for (const peer of services.filter((s) => s !== 'gateway'))
    env[`${peer.toUpperCase()}_SERVICE_URL`] = `http://127.0.0.1:${ports[peer]}`;
  const child = spawn(process.execPath, [join(root, 'services', name, 'dist', 'main.js')], {
    env,
    stdio: ['ignore', logDir ? openSync(join(logDir, `${name}.log`), 'a') : 'ignore', 'pipe'],
  });
  let errors = '';
  child.stderr.on('data', (chunk) => (errors = (errors + chunk).slice(-4000)));
  children.set(name, child);
  for (let i = 0; i < 240; i++) {
    if (child.exitCode !== null) throw new Error(`${name} exited: ${errors}`);
    const ok = await fetch(`http://127.0.0.1:${ports[name]}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return;
    await sleep(250);
  }
  throw new Error(`${name} not ready within 60 s: ${errors}`);
}

/** Heap snapshots of every service (SOAK_HEAP_SNAPSHOTS), one after another: each stops its process a while. */
async function heapSnapshots() {
  if (!snapshotDir) return;
  for (const [name, child] of children) {
    const before = readdirSync(snapshotDir).length;
    child.kill('SIGUSR2');
    for (let i = 0; i < 240 && readdirSync(snapshotDir).length === before; i++) await sleep(500);
    await sleep(2000); // written by then (the file appears when the write starts)
    console.error(`soak: heap snapshot of ${name} (pid ${child.pid}) in ${snapshotDir}`);
  }
}

async function totalLag(kafka) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(tag));
    let lag = 0;
    const behind = {}; // group → topic → lag, for the groups that are behind
    for (const groupId of groups) {
      for (const { topic, partitions } of await admin.fetchOffsets({ groupId })) {
        const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
        for (const p of partitions) {
          const n = Number(p.offset) >= 0 ? Math.max(0, ends.get(p.partition) - Number(p.offset)) : 0;
          if (n === 0) continue;
          lag += n;
          behind[groupId.slice(tag.length + 1)] = { ...behind[groupId.slice(tag.length + 1)], [topic]: n };
        }
      }
    }
    return { lag, groups: groups.length, behind };
  } finally {
    await admin.disconnect();
  }
}

function load(gateway, key, requests, share, duration) {
  return autocannon({
    url: gateway,
    connections: Math.max(1, Math.round(4 * share)),
    overallRate: Math.max(1, Math.round(rate * share)),
    duration,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    requests,
  });
}

function runBody() {
  const nonce = randomUUID().slice(0, 8);
  return JSON.stringify({
    dataset: {
      name: `${tag}`,
      cases: Array.from({ length: 5 }, (_, i) => ({
        id: `c${i}`,
        question: `q${i} ${nonce}`,
        answer: `answer ${i}`,
        contexts: [`answer ${i}`],
        ground_truth: `answer ${i}`,
      })),
    },
    metrics: ['token_f1', 'exact_match'],
    gate: { rules: ['mean(token_f1) >= 0.5'] },
  });
}

let exitCode = 1;
let oidc;
try {
  for (const dir of [snapshotDir, logDir]) if (dir) mkdirSync(dir, { recursive: true });
  oidc = await startTestOidcIssuer();
  if (scratchDatabase) {
    await adminQuery(`CREATE DATABASE "${scratchDatabase}"`);
    execFileSync(process.execPath, [join(root, 'scripts', 'migrate-all.mjs')], {
      env: { ...process.env, DATABASE_URL: databaseUrl },
      stdio: 'inherit',
    });
  }
  execFileSync('bash', [join(root, 'infra/kafka/kafka.sh'), 'start'], { env: brokerEnv, stdio: 'inherit' });
  const ports = {};
  for (const name of services) ports[name] = await freePort();
  for (const name of services) await startService(name, ports, oidc);
  const gateway = `http://127.0.0.1:${ports.gateway}`;
  const api = (path, key, init = {}, project = 'default') =>
    fetch(`${gateway}/v1/projects/${project}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    });
  const keyOf = async (role) => {
    const response = await api('/api-keys', adminKey, {
      method: 'POST',
      body: JSON.stringify({ name: `${tag}-${role}`, role }),
    });
    if (response.status !== 201) throw new Error(`key for ${role}: ${response.status} ${await response.text()}`);
    return (await response.json()).key;
  };
  const editor = await keyOf('editor');
  const viewer = await keyOf('viewer');
  const seed = await (await api('/runs', editor, { method: 'POST', body: runBody() })).json();
  // The second tenant: people signed in through OIDC, with roles in its project `checkout`.
  const other = `${tag}-b`;
  const token = (subject, roles) =>
    oidc.issuer.sign({ sub: `${subject}@${other}`, tenant: other, evalvault_roles: roles }, { expiresIn: '4h' });
  const otherEditor = await token('editor', { checkout: ['editor'] });
  const otherViewer = await token('viewer', { checkout: ['viewer'] });
  const otherAuditor = await token('auditor', { $tenant: ['auditor'] });
  const otherSeedResponse = await api('/runs', otherEditor, { method: 'POST', body: runBody() }, 'checkout');
  if (otherSeedResponse.status !== 202)
    throw new Error(`tenant ${other}: ${otherSeedResponse.status} ${await otherSeedResponse.text()}`);
  const otherSeed = await otherSeedResponse.json();
  console.error(`soak: platform up, ${seconds} s at ${rate} requests/s after ${warmupSeconds} s of warm-up`);

  // The same mix for the warm-up (whose end is the RSS baseline: every service has done its kind of
  // work by then) and for the measured load.
  const submit = (project) => [
    { method: 'POST', path: `/v1/projects/${project}/runs`, setupRequest: (r) => ({ ...r, body: runBody() }) },
  ];
  const get = (path) => [{ method: 'GET', path }];
  const mix = (duration) =>
    Promise.all([
      load(gateway, editor, submit('default'), 0.1, duration),
      load(gateway, viewer, get('/v1/projects/default/runs?limit=20'), 0.2, duration),
      load(gateway, viewer, get(`/v1/projects/default/runs/${seed.runId}`), 0.15, duration),
      load(gateway, adminKey, get('/v1/projects/default/runs?limit=5'), 0.05, duration),
      load(gateway, otherEditor, submit('checkout'), 0.1, duration),
      load(gateway, otherViewer, get('/v1/projects/checkout/runs?limit=20'), 0.2, duration),
      load(gateway, otherViewer, get(`/v1/projects/checkout/runs/${otherSeed.runId}`), 0.15, duration),
      load(gateway, otherAuditor, get('/v1/audit?limit=20'), 0.05, duration),
    ]);
  await mix(warmupSeconds);
  const sampler = memorySampler(
    Object.fromEntries(services.map((s) => [s, { pid: children.get(s).pid, url: `http://127.0.0.1:${ports[s]}` }])),
    15_000,
  );
  await heapSnapshots();
  await sampler.take(); // the baseline: every service has done its kind of work by now
  sampler.start();
  const started = Date.now();
  const results = await mix(seconds);
  const loadSeconds = (Date.now() - started) / 1000;
  sampler.stop();
  await sampler.take();
  await heapSnapshots();

  const kafka = new Kafka({ brokers: [`127.0.0.1:${kafkaPort}`], clientId: tag, logLevel: logLevel.NOTHING });
  const stoppedAt = Date.now();
  let lag = await totalLag(kafka);
  const lagAtStop = lag.lag;
  while (lag.lag > 0 && Date.now() - stoppedAt < 60_000) {
    await sleep(1000);
    lag = await totalLag(kafka);
  }
  const catchUpSeconds = (Date.now() - stoppedAt) / 1000;

  const statuses = {};
  let total = 0;
  for (const result of results)
    for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {})) {
      statuses[code] = (statuses[code] ?? 0) + count;
      total += count;
    }
  const transportErrors = results.reduce((n, r) => n + r.errors + r.timeouts, 0);
  const unintended = Object.entries(statuses).filter(([code]) => !/^2/.test(code) && code !== '429');
  const names = [
    'submit (default, editor key)',
    'list runs (default, viewer key)',
    'get run (default, viewer key)',
    'list runs (default, admin key)',
    `submit (${other}, editor OIDC)`,
    `list runs (${other}, viewer OIDC)`,
    `get run (${other}, viewer OIDC)`,
    `audit log (${other}, auditor OIDC)`,
  ];
  console.log(`\nsoak ${new Date().toISOString()}: ${loadSeconds.toFixed(0)} s at ${rate} requests/s target`);
  console.log('| traffic | requests/s | p50 ms | p99 ms | answers by status |\n|---|---|---|---|---|');
  results.forEach((r, i) => {
    const codes = Object.entries(r.statusCodeStats ?? {})
      .map(([c, { count }]) => `${c}: ${count}`)
      .join(', ');
    console.log(`| ${names[i]} | ${r.requests.average.toFixed(1)} | ${r.latency.p50} | ${r.latency.p99} | ${codes} |`);
  });
  console.log(`\ntotal ${total} answers (${(total / loadSeconds).toFixed(1)}/s); transport errors ${transportErrors}`);
  const allocators = Object.fromEntries(services.map((s) => [s, allocatorOf(children.get(s).pid)]));
  const { table, growth, seriesGrowth } = memoryReport(sampler.samples, allocators);
  console.log(`\n${table}\n\nmetric series added during the load (top 3 per process): ${JSON.stringify(seriesGrowth)}`);
  console.log(
    `\nconsumer lag: ${lagAtStop} when the load stopped, ` +
      `${lag.lag} after ${catchUpSeconds.toFixed(0)} s (${lag.groups} groups)` +
      (lag.lag > 0 ? `; behind: ${JSON.stringify(lag.behind)}` : ''),
  );
  const failures = [
    ...unintended.map(([code, n]) => `${n} answers with status ${code}`),
    ...(transportErrors > 0 ? [`${transportErrors} transport errors`] : []),
    ...services.filter((s) => growth[s] >= 0.1).map((s) => `${s} RSS grew ${(growth[s] * 100).toFixed(1)} %`),
    ...(lag.lag > 0 ? [`consumer lag ${lag.lag} a minute after the load stopped`] : []),
  ];
  console.log(failures.length === 0 ? '\nsoak: PASS' : `\nsoak: FAIL (${failures.join('; ')})`);
  exitCode = failures.length === 0 ? 0 : 1;
} catch (error) {
  console.error(`soak: ${error.stack ?? error}`);
} finally {
  for (const child of children.values()) child.kill('SIGTERM');
  await sleep(3000);
  for (const child of children.values()) if (child.exitCode === null) child.kill('SIGKILL');
  await oidc?.close();
  try {
    execFileSync('bash', [join(root, 'infra/kafka/kafka.sh'), 'stop'], { env: brokerEnv, stdio: 'inherit' });
  } catch {
    // already stopped
  }
  rmSync(work, { recursive: true, force: true });
  if (scratchDatabase) await adminQuery(`DROP DATABASE IF EXISTS "${scratchDatabase}" WITH (FORCE)`).catch(() => {});
}
process.exit(exitCode);
