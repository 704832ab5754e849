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

  it('migrates the empty database, scores a run and keeps nothing in the data directory’s pgdata', async () => {
    const child = spawn(process.execPath, [MAIN], {
      env: { ...process.env, EVALVAULT_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn', DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${database}`, KAFKA_BROKERS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    try {
      let url: string | undefined;
      const deadline = Date.now() + 90_000;
      while (!(url = /EvalVault is running at (\S+)/.exec(output)?.[1])) {
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`did not start:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(output).toContain('database: external');
      const key = readFileSync(join(dataDir, 'secrets', 'bootstrap-admin-key'), 'utf8').trim();
      const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
      const submitted = await fetch(`${url}/v1/projects/default/runs`, { method: 'POST', headers, body: JSON.stringify({
        dataset: { name: 'external', cases: [{ question: 'Capital of France?', answer: 'Paris', contexts: ['Paris is the capital of France.'], ground_truth: 'Paris' }] },
        metrics: ['exact_match'], gate: { rules: ['mean(exact_match) >= 1'] },
      }) });
      expect(submitted.status).toBe(202);
      const { runId } = (await submitted.json()) as { runId: string };
      let status = '';
      for (let attempt = 0; attempt < 200 && status !== 'completed'; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        const view = await fetch(`${url}/v1/projects/default/runs/${runId}`, { headers });
        if (view.status === 200) status = ((await view.json()) as { status: string }).status;
      }
      expect(status).toBe('completed');
      // The run is in the real database's event store, and PGlite was never opened.
      const db = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:5432/${database}` });
      await db.connect();
      const { rows } = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM eventstore.events WHERE stream_id = $1', [`run-${runId}`]);
      await db.end();
      expect(Number(rows[0]!.n)).toBeGreaterThanOrEqual(4);
      expect(() => readFileSync(join(dataDir, 'pgdata', 'PG_VERSION'))).toThrow();
    } finally {
      if (child.exitCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGINT');
        await exited;
      }
    }
  });
});
