import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { jest } from '@jest/globals';

jest.setTimeout(180_000);

const MAIN = join(import.meta.dirname, '..', 'dist', 'main.js');
const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** DATABASE_URL switches the embedded platform from PGlite to a real PostgreSQL: same services, same answers. */
describe('embedded platform on a real PostgreSQL (DATABASE_URL)', () => {
  const database = `evalvault_embedded_${randomBytes(4).toString('hex')}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'evalvault-external-'));

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.end();
  });
  afterAll(async () => {
    rmSync(dataDir, { recursive: true, force: true });
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  });

  /**
   * Starts `npm start`'s entry point on the fresh database, scores one run over HTTP, stops it; returns what
   * it printed and the run id.
   */
  async function scoreOneRun(extraEnv: Record<string, string>): Promise<{ output: string; runId: string }> {
    const child = spawn(process.execPath, [MAIN], {
      env: {
        ...process.env,
        EVALVAULT_DATA_DIR: dataDir,
        PORT: '0',
        LOG_LEVEL: 'warn',
        DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${database}`,
        KAFKA_BROKERS: '',
        ...extraEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    try {
      let url: string | undefined;
      const deadline = Date.now() + 150_000;
      while (!(url = /EvalVault is running at (\S+)/.exec(output)?.[1])) {
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`did not start:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const key = readFileSync(join(dataDir, 'secrets', 'bootstrap-admin-key'), 'utf8').trim();
      const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
      const submitted = await fetch(`${url}/v1/projects/default/runs`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          dataset: {
            name: 'external',
            cases: [
              {
                question: 'Capital of France?',
                answer: 'Paris',
                contexts: ['Paris is the capital of France.'],
                ground_truth: 'Paris',
              },
            ],
          },
          metrics: ['exact_match'],
          gate: { rules: ['mean(exact_match) >= 1'] },
        }),
      });
      expect(submitted.status).toBe(202);
      const { runId } = (await submitted.json()) as { runId: string };
      let status = '';
      for (let attempt = 0; attempt < 600 && status !== 'completed'; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        const view = await fetch(`${url}/v1/projects/default/runs/${runId}`, { headers });
        if (view.status === 200) status = ((await view.json()) as { status: string }).status;
      }
      expect(status).toBe('completed');
      return { output, runId };
    } finally {
      if (child.exitCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGINT');
        await exited;
      }
    }
  }

  it('migrates the empty database and scores a run in it; PGlite is never opened', async () => {
    const { output, runId } = await scoreOneRun({});
    expect(output).toContain('database: external; bus: event store (no broker)');
    // The run is in the real database's event store.
    const db = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:5432/${database}` });
    await db.connect();
    const { rows } = await db.query<{ n: string }>(
      'SELECT count(*)::text AS n FROM eventstore.events WHERE stream_id = $1',
      [`run-${runId}`],
    );
    await db.end();
    expect(Number(rows[0]!.n)).toBeGreaterThanOrEqual(4);
    expect(() => readFileSync(join(dataDir, 'pgdata', 'PG_VERSION'))).toThrow();
  });

  it('with KAFKA_BROKERS, the services hear each other over the real broker', async () => {
    // Consumer groups of their own: the shared test broker carries every other suite's events.
    const suffix = randomBytes(4).toString('hex');
    const { output } = await scoreOneRun({
      KAFKA_BROKERS: '127.0.0.1:9092',
      RUNS_GROUP_PREFIX: `emb-runs-${suffix}`,
      REGISTRY_GROUP_PREFIX: `emb-registry-${suffix}`,
      NOTIFIER_GROUP_PREFIX: `emb-notifier-${suffix}`,
      AUDIT_GROUP_ID: `emb-audit-${suffix}`,
    });
    expect(output).toContain('database: external; bus: Kafka at 127.0.0.1:9092');
  });
});
