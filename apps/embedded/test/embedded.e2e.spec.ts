import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { decodeJwt } from 'jose';
import { listeningTcpPorts } from './listening-ports.js';
import { signInWithPkce } from './oidc-sign-in.js';

// Each start creates or opens a PGlite database: seconds on two cores.
jest.setTimeout(120_000);

interface EmbeddedProcess {
  child: ChildProcess;
  url: string;
  adminKey: string;
  output: () => string;
}

const MAIN = join(import.meta.dirname, '..', 'dist', 'main.js');

/** `npm start` as a user runs it (the built entry point), on a data directory of the test's own. */
async function startPlatform(dataDir: string): Promise<EmbeddedProcess> {
  const child = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      EVALVAULT_DATA_DIR: dataDir,
      PORT: '0',
      LOG_LEVEL: 'warn',
      DATABASE_URL: '',
      KAFKA_BROKERS: '',
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
  const deadline = Date.now() + 90_000;
  let url: string | undefined;
  while (!(url = /EvalVault is running at (\S+)/.exec(output)?.[1])) {
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`the embedded platform did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    child,
    url,
    adminKey: readFileSync(join(dataDir, 'secrets', 'bootstrap-admin-key'), 'utf8').trim(),
    output: () => output,
  };
}

/** Ctrl-C, as a user stops it; resolves with the exit code. */
async function interrupt(platform: EmbeddedProcess): Promise<number | null> {
  if (platform.child.exitCode !== null) return platform.child.exitCode;
  const exited = once(platform.child, 'exit');
  platform.child.kill('SIGINT');
  const [code] = (await exited) as [number | null];
  return code;
}

/** The one-process platform over its REST API: a run to its verdict, and what a restart keeps. */
describe('embedded platform (npm start)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'evalvault-embedded-'));
  let platform: EmbeddedProcess | undefined;

  afterAll(async () => {
    if (platform) await interrupt(platform);
    rmSync(dataDir, { recursive: true, force: true });
  });

  type EmbeddedPlatform = EmbeddedProcess;
  const start = async (): Promise<EmbeddedPlatform> => {
    platform = await startPlatform(dataDir);
    return platform;
  };
  const callAs = (p: EmbeddedPlatform, key: string, path: string, init: RequestInit = {}): Promise<Response> =>
    fetch(`${p.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...init.headers },
    });
  const call = (p: EmbeddedPlatform, path: string, init: RequestInit = {}): Promise<Response> =>
    callAs(p, p.adminKey, path, init);
  /**
   * The admin key reads no audit log: it grants the auditor role to a key of its own, as a user would
   * (once; kept across restarts).
   */
  let auditorKey: string | undefined;
  const asAuditor = async (p: EmbeddedPlatform, path: string, init: RequestInit = {}): Promise<Response> => {
    if (!auditorKey) {
      const issued = await call(p, '/v1/projects/default/api-keys', {
        method: 'POST',
        body: JSON.stringify({ name: 'compliance', role: 'viewer', tenantRoles: ['auditor'] }),
      });
      expect(issued.status).toBe(201);
      auditorKey = ((await issued.json()) as { key: string }).key;
    }
    return callAs(p, auditorKey, path, init);
  };
  const submit = async (p: EmbeddedPlatform, name: string): Promise<string> => {
    const response = await call(p, '/v1/projects/default/runs', {
      method: 'POST',
      body: JSON.stringify({
        dataset: {
          name,
          cases: [
            {
              id: 'fr',
              question: 'Capital of France?',
              answer: 'Paris',
              contexts: ['Paris is the capital of France.'],
              ground_truth: 'Paris',
            },
            {
              id: 'it',
              question: 'Capital of Italy?',
              answer: 'Milan',
              contexts: ['Rome is the capital of Italy.'],
              ground_truth: 'Rome',
            },
          ],
        },
        metrics: ['exact_match', 'token_f1'],
        gate: { rules: ['mean(exact_match) >= 0.9'] },
      }),
    });
    expect(response.status).toBe(202);
    return ((await response.json()) as { runId: string }).runId;
  };
  const verdictOf = async (
    p: EmbeddedPlatform,
    runId: string,
  ): Promise<{ status: string; gate: { passed: boolean } | null }> => {
    for (let attempt = 0; attempt < 300; attempt++) {
      const response = await call(p, `/v1/projects/default/runs/${runId}`);
      if (response.status === 200) {
        const view = (await response.json()) as { status: string; gate: { passed: boolean } | null };
        if (view.status === 'completed' && view.gate) return view;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`run ${runId} reached no verdict`);
  };

  const auditActions = async (p: EmbeddedPlatform, resource: string): Promise<string[]> => {
    for (let attempt = 0; attempt < 100; attempt++) {
      const page = (await (
        await asAuditor(p, `/v1/audit?resource=${encodeURIComponent(resource)}&limit=100`)
      ).json()) as {
        items: { action: string }[];
      };
      const actions = page.items.map((entry) => entry.action);
      if (actions.includes('GateFailed') || actions.includes('GatePassed')) return actions;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`no audit entries with a verdict for ${resource}`);
  };

  it('scores a run to its gate verdict with no database server and no broker', async () => {
    const p = await start();
    expect(p.output()).toContain('database: embedded; bus: event store (no broker)');
    const runId = await submit(p, 'first');
    expect(await verdictOf(p, runId)).toMatchObject({ status: 'completed', gate: { passed: false } });
    // The audit log has the run's story, for an auditor: the admin key itself reads no audit log.
    expect((await call(p, `/v1/audit?resource=${encodeURIComponent(`run:${runId}`)}`)).status).toBe(403);
    const actions = await auditActions(p, `run:${runId}`);
    expect(actions).toEqual(
      expect.arrayContaining(['RunRequested', 'RunStarted', 'CaseEvaluated', 'RunCompleted', 'GateFailed']),
    );
  });

  it('registers a dataset version and scores a run pinned to it', async () => {
    const p = platform!;
    const registered = await call(p, '/v1/projects/default/datasets', {
      method: 'POST',
      body: JSON.stringify({
        name: 'capitals',
        cases: [
          {
            id: 'fr',
            question: 'Capital of France?',
            answer: 'Paris',
            contexts: ['Paris is the capital of France.'],
            ground_truth: 'Paris',
          },
        ],
      }),
    });
    expect(registered.status).toBe(201);
    const { id, version, contentHash } = (await registered.json()) as {
      id: string;
      version: number;
      contentHash: string;
    };
    const submitted = await call(p, '/v1/projects/default/runs', {
      method: 'POST',
      body: JSON.stringify({
        dataset: { id, version },
        metrics: ['exact_match'],
        gate: { rules: ['mean(exact_match) >= 1'] },
      }),
    });
    expect(submitted.status).toBe(202);
    const { runId } = (await submitted.json()) as { runId: string };
    expect(await verdictOf(p, runId)).toMatchObject({ status: 'completed', gate: { passed: true } });
    const run = (await (await call(p, `/v1/projects/default/runs/${runId}`)).json()) as {
      lineage: { dataset: { contentHash: string } };
    };
    expect(run.lineage.dataset.contentHash).toBe(contentHash);
  });

  it("enforces a project's policy an admin sets; the audit log records the change from the bus", async () => {
    const p = platform!;
    const policy = { allowedMetrics: ['exact_match', 'token_f1'], dailyCapUsd: 5, reason: 'e2e' };
    const set = await call(p, '/v1/projects/default/policy', { method: 'PUT', body: JSON.stringify(policy) });
    expect(set.status).toBe(200);
    const { revision } = (await set.json()) as { revision: number };
    const refused = await call(p, '/v1/projects/default/runs', {
      method: 'POST',
      body: JSON.stringify({
        dataset: { name: 'x', cases: [{ question: 'q', answer: 'a', contexts: [] }] },
        metrics: ['bleu'],
      }),
    });
    expect(refused.status).toBe(422);
    expect(await refused.json()).toMatchObject({ code: 'POLICY_VIOLATION', detail: expect.stringContaining('bleu') });
    let entries: { resources: unknown[]; details: Record<string, unknown> }[] = [];
    for (let attempt = 0; attempt < 100 && entries.length === 0; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 100));
      const page = await asAuditor(p, '/v1/audit?action=ProjectPolicyChanged&resource=project-policy:default');
      entries = ((await page.json()) as { items: typeof entries }).items;
    }
    expect(entries).toEqual([
      expect.objectContaining({
        resources: [{ type: 'project-policy', id: 'default', version: revision, contentHash: null }],
        details: expect.objectContaining({ allowedMetrics: 'exact_match,token_f1', dailyCapUsd: 5, reason: 'e2e' }),
      }),
    ]);
    // The project limits nothing again for the tests that follow.
    expect((await call(p, '/v1/projects/default/policy', { method: 'PUT', body: '{}' })).status).toBe(200);
  });

  it('listens on TCP only for the gateway and the OIDC issuer; the database is a private Unix socket', () => {
    const p = platform!;
    const issuer = /Sign-in \(OIDC, for evalvault login --oidc\): (\S+)/.exec(p.output())![1]!;
    expect(listeningTcpPorts(p.child.pid!)).toEqual(
      [Number(new URL(p.url).port), Number(new URL(issuer).port)].sort((a, b) => a - b),
    );
    expect(statSync(join(dataDir, 'run')).mode & 0o777).toBe(0o700);
    expect(statSync(join(dataDir, 'run', '.s.PGSQL.5432')).isSocket()).toBe(true);
    const open = readdirSync(join(dataDir, 'pgdata'), { recursive: true, encoding: 'utf8' }).filter(
      (name) => (statSync(join(dataDir, 'pgdata', name)).mode & 0o077) !== 0,
    );
    expect(open).toEqual([]);
  });

  it('signs a person in through its own OIDC issuer (PKCE, password), roles from the project members', async () => {
    const p = platform!;
    const issuer = /Sign-in \(OIDC, for evalvault login --oidc\): (\S+)/.exec(p.output())![1]!;
    const passwordFile = join(dataDir, 'secrets', 'admin-password');
    expect(p.output()).toContain(`user admin, password in ${passwordFile}`);
    const password = readFileSync(passwordFile, 'utf8').trim();
    expect(p.output()).not.toContain(password);
    await expect(signInWithPkce(issuer, 'admin', 'guess')).rejects.toThrow('Wrong user name or password.');
    const { accessToken } = await signInWithPkce(issuer, 'admin', password);
    expect(decodeJwt(accessToken)).toMatchObject({
      iss: issuer,
      aud: 'urn:evalvault:api',
      sub: 'local:admin',
      tenant: 'default',
    });
    const asAdmin = (): Promise<Response> =>
      fetch(`${p.url}/v1/projects/default/runs`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect((await asAdmin()).status).toBe(403);
    const granted = await call(p, '/v1/projects/default/members', {
      method: 'POST',
      body: JSON.stringify({ subject: 'local:admin', role: 'viewer' }),
    });
    expect(granted.status).toBe(201);
    expect((await asAdmin()).status).toBe(200);
  });

  it('refuses a second platform on the same data directory, saying why', async () => {
    await expect(startPlatform(dataDir)).rejects.toThrow(
      new RegExp(`data directory ${dataDir} is in use by process ${platform!.child.pid}`),
    );
  });

  it('keeps runs and keys across a restart, and finishes a run acknowledged just before stopping', async () => {
    const before = platform!;
    const finished = (
      (await (await call(before, '/v1/projects/default/runs')).json()) as { items: { runId: string }[] }
    ).items.map((r) => r.runId);
    const issued = await call(before, '/v1/projects/default/api-keys', {
      method: 'POST',
      body: JSON.stringify({ name: 'ci', role: 'viewer' }),
    });
    const { key } = (await issued.json()) as { key: string };
    const acknowledged = await submit(before, 'interrupted');
    expect(await interrupt(before)).toBe(0);
    expect(before.output()).toContain('EvalVault stopped.');

    const after = await start();
    expect(after.adminKey).toBe(before.adminKey);
    expect(await verdictOf(after, acknowledged)).toMatchObject({ status: 'completed' });
    const listed = (
      (await (await call(after, '/v1/projects/default/runs')).json()) as { items: { runId: string }[] }
    ).items.map((r) => r.runId);
    expect(listed).toEqual(expect.arrayContaining([...finished, acknowledged]));
    const asViewer = await fetch(`${after.url}/v1/projects/default/runs`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(asViewer.status).toBe(200);
    // The audit log kept its entries (the interrupted run's too) and still verifies against the store.
    expect(await auditActions(after, `run:${acknowledged}`)).toContain('RunRequested');
    // The audit log is eventually consistent: memory forms from the run after its verdict, so the
    // newest events can still be on their way to the audit consumer. It must converge.
    type Replay = { status: string; counts: { entries: number } };
    const replayNow = async (): Promise<Replay> =>
      (await (await asAuditor(after, '/v1/audit/replay', { method: 'POST', body: '{}' })).json()) as Replay;
    let replay = await replayNow();
    for (let attempt = 0; attempt < 60 && replay.status !== 'verified'; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      replay = await replayNow();
    }
    expect(replay).toMatchObject({ status: 'verified' });
    expect(replay.counts.entries).toBeGreaterThan(10);
  });
});
