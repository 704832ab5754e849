import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';

/**
 * Each service, as built (`node services/<name>/dist/main.js`), boots, answers /healthz,
 * /readyz and /metrics, and exits with code 0 on SIGTERM.
 */
const SERVICES = ['gateway', 'runs', 'registry', 'memory', 'audit', 'notifier'];
const root = join(import.meta.dirname, '..', '..');

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

async function waitForHealth(url: string, child: ChildProcess, output: () => string): Promise<Response> {
  const deadline = Date.now() + 45_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}:\n${output()}`);
    try {
      return await fetch(`${url}/healthz`);
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`no answer from ${url}/healthz within 20 s:\n${output()}`);
}

/** Services with a database and a broker get the test ones, migrated (as an operator would first). */
const DATABASE_URL = process.env['EVALVAULT_TEST_DATABASE_URL'] ?? 'postgres://evalvault@127.0.0.1:5432/evalvault_test';
const SECRETS = { BOOT_INTERNAL_SECRET: 'b'.repeat(43), BOOT_PEPPER: 'p'.repeat(43) };
const SERVICE_ENV: Record<string, Record<string, string>> = {
  runs: { DATABASE_URL, RUNS_CONSUMER_START: 'latest' },
  registry: { DATABASE_URL, REGISTRY_CONSUMER_START: 'latest', REGISTRY_RELAY_START: 'latest' },
  memory: { DATABASE_URL },
  // Not 'latest': pinning a new group to the end costs kafkajs ~5 s per topic, and the audit log reads all seven.
  audit: { DATABASE_URL, AUDIT_CONSUMER_START: 'earliest', AUDIT_RELAY_START: 'latest' },
  notifier: { DATABASE_URL, NOTIFIER_CONSUMER_START: 'earliest', NOTIFIER_RELAY_START: 'latest' },
  gateway: {
    DATABASE_URL,
    ...SECRETS,
    EVALVAULT_INTERNAL_SECRET_REF: 'env:BOOT_INTERNAL_SECRET',
    EVALVAULT_API_KEY_PEPPER_REF: 'env:BOOT_PEPPER',
  },
};

beforeAll(() => {
  for (const service of ['runs', 'gateway', 'registry', 'audit', 'notifier']) {
    execFileSync(process.execPath, [join(root, 'services', service, 'dist', 'migrate.js')], {
      env: { ...process.env, DATABASE_URL },
      stdio: 'inherit',
    });
  }
});

describe.each(SERVICES)('service %s', (service) => {
  it('boots, answers /healthz, /readyz and /metrics, and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [join(root, 'services', service, 'dist', 'main.js')], {
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', ...SERVICE_ENV[service] },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const url = `http://127.0.0.1:${port}`;
    try {
      const health = await waitForHealth(url, child, () => output);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toContain(`process_cpu_user_seconds_total{service="${service}"}`);

      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code, signal] = (await exited) as [number | null, NodeJS.Signals | null];
      expect({ code, signal }).toEqual({ code: 0, signal: null });
      const lines = output
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { service: string; msg: string });
      expect(lines.every((line) => line.service === service)).toBe(true);
      expect(lines.map((line) => line.msg)).toEqual(
        expect.arrayContaining([`${service} listening`, `${service} stopped`]),
      );
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
