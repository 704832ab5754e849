import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { testDatabaseUrl } from '@evalvault/platform/testing';

// Six processes start (three consumer groups pinned to the end), one is killed and comes back.
jest.setTimeout(300_000);

const root = join(import.meta.dirname, '..', '..');
const SERVICES = ['gateway', 'runs', 'registry', 'memory', 'audit', 'notifier'] as const;

/**
 * `npm run start:distributed` (scripts/start-all.mjs) as an operator runs it: when one service
 * dies (SIGKILL), the other five keep serving and the dead one is started again by itself;
 * Ctrl-C (SIGTERM) still stops all six cleanly.
 */
describe('start:distributed supervises its services', () => {
  const tag = randomUUID().slice(0, 8);
  const dataDir = mkdtempSync(join(tmpdir(), 'evalvault-start-all-'));
  const adminKeyFile = join(dataDir, 'secrets', 'bootstrap-admin-key');
  let adminKey = '';
  const basePort = 31_000 + Math.floor(Math.random() * 2_000) * 6;
  const ports = {
    gateway: basePort,
    runs: basePort + 1,
    registry: basePort + 2,
    memory: basePort + 3,
    audit: basePort + 4,
    notifier: basePort + 5,
  };
  let supervisor: ChildProcess;
  let output = '';

  const logLines = (msg: string): Array<Record<string, unknown>> =>
    output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return [];
        }
      })
      .filter((line) => line['msg'] === msg);
  const pidOf = (name: string): number | undefined =>
    logLines('service started')
      .filter((l) => l['name'] === name)
      .at(-1)?.['pid'] as number | undefined;
  const status = async (url: string): Promise<number> =>
    fetch(url).then(
      (r) => r.status,
      () => 0,
    );
  const healthy = async (name: keyof typeof ports): Promise<boolean> =>
    (await status(`http://127.0.0.1:${ports[name]}/healthz`)) === 200;

  async function until(what: string, probe: () => Promise<boolean> | boolean, timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await probe())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${output.slice(-4000)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  beforeAll(async () => {
    supervisor = spawn(process.execPath, [join(root, 'scripts', 'start-all.mjs')], {
      cwd: root,
      env: {
        ...process.env,
        DATABASE_URL: testDatabaseUrl(),
        KAFKA_BROKERS: process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092',
        LOG_LEVEL: 'warn',
        EVALVAULT_DATA_DIR: dataDir,
        EVALVAULT_BASE_PORT: String(basePort),
        // This test's own relays and consumer groups on the shared test database and broker.
        RUNS_GROUP_PREFIX: `sa-${tag}`,
        RUNS_RELAY_NAME: `sa-${tag}`,
        RUNS_CONSUMER_START: 'latest',
        RUNS_RELAY_START: 'latest',
        REGISTRY_GROUP_PREFIX: `sa-${tag}-registry`,
        REGISTRY_RELAY_NAME: `sa-${tag}-registry`,
        REGISTRY_CONSUMER_START: 'latest',
        REGISTRY_RELAY_START: 'latest',
        GATEWAY_RELAY_NAME: `sa-${tag}-gateway`,
        GATEWAY_RELAY_START: 'latest',
        AUDIT_RELAY_NAME: `sa-${tag}-audit`,
        AUDIT_RELAY_START: 'latest',
        NOTIFIER_RELAY_NAME: `sa-${tag}-notifier`,
        NOTIFIER_RELAY_START: 'latest',
        MEMORY_GROUP_PREFIX: `sa-${tag}-memory`,
        MEMORY_RELAY_NAME: `sa-${tag}-memory`,
        MEMORY_CONSUMER_START: 'latest',
        MEMORY_RELAY_START: 'latest',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    supervisor.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    supervisor.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    await until(
      'all six services to answer /healthz',
      async () => (await Promise.all(SERVICES.map(healthy))).every(Boolean),
      180_000,
    );
    adminKey = readFileSync(adminKeyFile, 'utf8').trim();
  });

  it('keeps the generated admin key in the data directory and out of captured output', () => {
    expect(adminKey).toMatch(/^evk_[0-9a-f]{12}_[\w-]{43}$/);
    expect(statSync(adminKeyFile).mode & 0o777).toBe(0o600);
    expect(output).not.toContain(adminKey);
    expect(output).toContain(`Admin API key of project "default" (kept in ${adminKeyFile})`);
    expect(output).toContain(`Bearer $(cat ${adminKeyFile})`);
  });

  it('reaches the memory service over HTTP (MEMORY_SERVICE_URL): its routes answer through the gateway', async () => {
    const memory = (path: string, key: string | null = adminKey) =>
      fetch(`http://127.0.0.1:${ports.gateway}/v1/projects/default/memory${path}`, {
        headers: key ? { authorization: `Bearer ${key}` } : {},
      });
    const policy = await memory('/policy');
    expect(policy.status).toBe(200);
    expect(await policy.json()).toMatchObject({ projectId: 'default', policy: { decay: expect.any(Object) } });
    const facts = await memory('/facts?q=nothing-here-' + tag);
    expect({ status: facts.status, body: await facts.json() }).toMatchObject({
      status: 200,
      body: { items: [], nextCursor: null },
    });
    expect((await memory(`/facts/${'0'.repeat(32)}`)).status).toBe(404);
    expect((await memory('/policy', null)).status).toBe(401);
  });

  afterAll(async () => {
    if (supervisor.exitCode === null && supervisor.signalCode === null) {
      supervisor.kill('SIGTERM');
      await once(supervisor, 'exit');
    }
  });

  it('keeps the others serving while a killed service is restarted, and stops all on SIGTERM', async () => {
    const killed = pidOf('runs')!;
    expect(killed).toEqual(expect.any(Number));
    process.kill(killed, 'SIGKILL');
    await until('runs to be down', async () => !(await healthy('runs')), 10_000);
    // While it is down (the first restart waits a second), the others answer, the gateway's own API included.
    for (const name of SERVICES.filter((s) => s !== 'runs'))
      expect({ name, healthy: await healthy(name) }).toEqual({ name, healthy: true });
    // Answering, not gone.
    expect(await status(`http://127.0.0.1:${ports.gateway}/v1/projects/default/api-keys`)).toBe(401);
    const keys = await fetch(`http://127.0.0.1:${ports.gateway}/v1/projects/default/api-keys`, {
      headers: { authorization: `Bearer ${adminKey}` },
    });
    expect(keys.status).toBe(200);

    await until('runs to come back', () => healthy('runs'), 60_000);
    expect(pidOf('runs')).not.toBe(killed);
    expect(logLines('service exited; restarting')).toEqual([
      expect.objectContaining({ name: 'runs', exit: 'SIGKILL', restartInMs: 1_000 }),
    ]);
    // And it works again: the gateway reaches it.
    const runs = await fetch(`http://127.0.0.1:${ports.gateway}/v1/projects/default/runs`, {
      headers: { authorization: `Bearer ${adminKey}` },
    });
    expect(runs.status).toBe(200);

    const pids = SERVICES.map(pidOf);
    supervisor.kill('SIGTERM');
    const [code] = (await once(supervisor, 'exit')) as [number | null];
    expect(code).toBe(0);
    for (const pid of pids) expect(() => process.kill(pid!, 0)).toThrow(); // every service process is gone
  });
});
