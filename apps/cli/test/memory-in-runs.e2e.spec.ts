import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { jest } from '@jest/globals';
import { evalvault, repositoryRoot } from './support/run-cli.js';

jest.setTimeout(300_000);

const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const DATASET = 'examples/memory/help-desk.jsonl';
const RULE = 'mean(faithfulness_lexical) >= baseline - 0.05';

/**
 * Domain Memory used in a run, end to end through the embedded platform and the CLI: a first run
 * forms memory (and its report has no Memory section); a second run of the same dataset with
 * `--memory` is gated against memory's learned baseline (the verdict names the learning and its
 * version), and its results and JSON report show each metric's trend against the learned baseline
 * and the failure patterns it repeats.
 */
describe('a run using Domain Memory, through the embedded platform and the CLI', () => {
  const database = `evalvault_memuse_${randomBytes(4).toString('hex')}`;
  const scratch = mkdtempSync(join(tmpdir(), 'evalvault-memory-use-e2e-'));
  let child: ChildProcess;
  let url: string;
  let adminKey: string;
  let db: pg.Client;
  const env = () => ({ XDG_CONFIG_HOME: join(scratch, 'config'), EVALVAULT_URL: url, EVALVAULT_API_KEY: adminKey });

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.end();
    const dataDir = join(scratch, 'data');
    child = spawn(process.execPath, [join(repositoryRoot, 'apps', 'embedded', 'dist', 'main.js')], {
      env: {
        PATH: process.env['PATH'],
        HOME: process.env['HOME'],
        PORT: '0',
        LOG_LEVEL: 'error',
        EVALVAULT_DATA_DIR: dataDir,
        DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${database}`,
        KAFKA_BROKERS: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    const deadline = Date.now() + 150_000;
    let found: string | undefined;
    while (!(found = /EvalVault is running at (\S+)/.exec(output)?.[1])) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the platform did not start:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    url = found;
    adminKey = readFileSync(join(dataDir, 'secrets', 'bootstrap-admin-key'), 'utf8').trim();
    db = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:5432/${database}` });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    if (child?.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    rmSync(scratch, { recursive: true, force: true });
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  });

  /** What the runs service has heard of memory's learning (its own read table, fed by LearningUpdated). */
  async function learnedByRuns(): Promise<{ version: number; mean: number; learning_id: string } | undefined> {
    const { rows } = await db.query(
      `SELECT version, mean, learning_id FROM runs.learned_baselines WHERE metric = 'faithfulness_lexical'`,
    );
    return rows[0];
  }

  it('forms memory from a first run, then gates a second run against it and reports trends and patterns', async () => {
    const first = await evalvault(['run', DATASET, '--metric', 'faithfulness_lexical', '--wait'], env());
    expect({ code: first.code, stderr: first.stderr.slice(-500) }).toMatchObject({ code: 0 });
    expect(first.stdout).not.toMatch(/^Memory$/m); // a run without memory has no Memory section

    let learned = await learnedByRuns();
    for (const until = Date.now() + 60_000; !learned && Date.now() < until; learned = await learnedByRuns())
      await new Promise((resolve) => setTimeout(resolve, 500));
    expect(learned).toMatchObject({ version: 1 });

    const report = join(scratch, 'memory-run.json');
    const second = await evalvault(['run', DATASET, '--memory', '--gate', RULE, '--json', report], env());
    // The same cases score the same mean: at least the learned mean - 0.05, so the gate passes.
    expect({ code: second.code, stderr: second.stderr.slice(-800) }).toMatchObject({ code: 0 });
    expect(second.stdout).toMatch(/^Memory$/m);
    const learning = learned!.learning_id.slice(0, 12);
    expect(second.stdout).toContain(
      `gate baseline: memory's learned baseline of faithfulness_lexical (learning ${learning} v1`,
    );
    expect(second.stdout).toMatch(/^faithfulness_lexical\s+\d\.\d{3}\s+\d\.\d{3}\s+[+-]?\d\.\d{3}\s+same$/m);
    expect(second.stdout).toMatch(/^repeated failure patterns: \S+=\S+ \(\d+ cases?\)/m);
    expect(second.stderr).toContain("memory's learned baseline (faithfulness_lexical v1)");

    const written = JSON.parse(readFileSync(report, 'utf8')) as {
      run: {
        runId: string;
        memory: { use: boolean };
        gate: { baselineRunId: string | null; baselineSource: unknown; rules: unknown[] };
      };
      memory: { available: boolean; insights: { repeatedFailurePatterns: unknown[]; trends: unknown[] } };
    };
    expect(written.run.memory).toEqual({ use: true });
    expect(written.run.gate.baselineRunId).toBeNull();
    expect(written.run.gate.baselineSource).toEqual({
      kind: 'memory',
      runId: null,
      learnings: [
        { metric: 'faithfulness_lexical', learningId: learned!.learning_id, version: 1, runId: expect.any(String) },
      ],
    });
    // Judged against the learned mean: the baseline value is memory's, the threshold 0.05 under it.
    const rule = written.run.gate.rules[0] as { baselineValue: number; threshold: number; noBaseline: boolean };
    expect(rule.noBaseline).toBe(false);
    expect(rule.baselineValue).toBeCloseTo(learned!.mean, 9);
    expect(rule.threshold).toBeCloseTo(learned!.mean - 0.05, 9);
    expect(written.memory.available).toBe(true);
    expect(written.memory.insights.trends).toEqual([
      expect.objectContaining({ metric: 'faithfulness_lexical', direction: 'same' }),
    ]);
    expect(written.memory.insights.repeatedFailurePatterns.length).toBeGreaterThan(0);

    // Looked at again later, the run shows the same Memory section.
    const shown = await evalvault(['runs', 'show', written.run.runId], env());
    expect({ code: shown.code, stderr: shown.stderr.slice(-500) }).toMatchObject({ code: 0 });
    expect(shown.stdout).toMatch(/^Memory$/m);
    expect(shown.stdout).toMatch(/^faithfulness_lexical\s+\d\.\d{3}\s+\d\.\d{3}\s+[+-]?\d\.\d{3}\s+same$/m);
  });
});
