import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { jest } from '@jest/globals';
import { evalvault, lastLine, repositoryRoot, type CliResult } from './support/run-cli.js';

jest.setTimeout(300_000);

const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const DATASET = 'examples/memory/help-desk.jsonl';
const DOC = 'docs/memory.md';

interface Fact {
  factId: string;
  subject: string;
  predicate: string;
  object: string;
  domain: string;
  kind: string;
  status: string;
  verificationCount: number;
  sources: { kind: string; id: string; runId: string | null }[];
}

/** The three commands of docs/memory.md's "Domain Memory in three commands", each with the output shown under it. */
function documentedDemo(): { args: string[]; lines: string[] }[] {
  const text = readFileSync(join(repositoryRoot, DOC), 'utf8');
  const at = text.indexOf('## Domain Memory in three commands\n');
  if (at < 0) throw new Error(`${DOC}: no "Domain Memory in three commands" section`);
  const section = text.slice(at, text.indexOf('\n## ', at + 10));
  return [...section.matchAll(/```bash\nnpx evalvault (.*)\n```\n[\s\S]*?```\n([\s\S]*?)```/g)].map((match) => ({
    args: match[1]!.match(/"[^"]*"|\S+/g)!.map((arg) => arg.replace(/^"|"$/g, '')),
    lines: match[2]!.trimEnd().split('\n'),
  }));
}

/** What differs between two runs: ids, durations, timestamps; the table's widths follow the ids. */
const normalised = (line: string): string =>
  line
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<run id>')
    .replace(/\b[0-9a-f]{32}\b/g, '<fact id>')
    .replace(/http:\/\/127\.0\.0\.1:\d+/g, '<url>')
    .replace(/completed in \d+\.\d s/g, 'completed in <duration>')
    .replace(/\s+/g, ' ')
    .trim();

/** Documented lines the command did not print, in order per stream (a lone `…` stands for lines left out). */
function missingLines(documented: readonly string[], printed: CliResult): string[] {
  const streams = [printed.stdout, printed.stderr].map((text) => text.split('\n').map(normalised));
  const next = streams.map(() => 0);
  const missing: string[] = [];
  for (const line of documented) {
    if (line.trim() === '…' || line.startsWith('progress: ')) continue;
    const wanted = normalised(line);
    const stream = streams.findIndex((lines, index) => lines.indexOf(wanted, next[index]) >= 0);
    if (stream < 0) missing.push(line);
    else next[stream] = streams[stream]!.indexOf(wanted, next[stream]) + 1;
  }
  return missing;
}

/**
 * Domain Memory end to end through the embedded platform (`npm start`'s, on a real PostgreSQL so the
 * read model can be looked at): a run whose cases are faithful forms facts; a reviewer verifies one
 * with the CLI (the audit log says who and why); search finds it; a deletion request removes the
 * subject from search, export and the read model. The documented three commands print what
 * docs/memory.md shows.
 */
describe('Domain Memory through the embedded platform and the CLI', () => {
  const database = `evalvault_memory_${randomBytes(4).toString('hex')}`;
  const scratch = mkdtempSync(join(tmpdir(), 'evalvault-memory-e2e-'));
  let child: ChildProcess;
  let url: string;
  let adminKey: string;
  let db: pg.Client;
  const env = (key: string) => ({
    XDG_CONFIG_HOME: join(scratch, 'config'),
    EVALVAULT_URL: url,
    EVALVAULT_API_KEY: key,
  });
  const api = async <T>(path: string, key = adminKey, init: { method?: string; body?: unknown } = {}) => {
    const response = await fetch(`${url}/v1/projects/default${path}`, {
      method: init.method ?? 'GET',
      headers: {
        authorization: `Bearer ${key}`,
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    return { status: response.status, body: (await response.json()) as T };
  };
  const issueKey = async (role: string): Promise<string> => {
    const issued = await api<{ key: string }>('/api-keys', adminKey, { method: 'POST', body: { name: role, role } });
    expect(issued.status).toBe(201);
    return issued.body.key;
  };

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

  it('forms facts from a run; verified, searched, forgotten: gone from search, export, read model', async () => {
    const demo = documentedDemo();
    expect(demo.map(({ args }) => (args[0] === 'memory' ? `memory ${args[1]}` : args[0]))).toEqual([
      'run',
      'memory search',
      'memory verify',
    ]);
    const [runStep, searchStep, verifyStep] = demo as [(typeof demo)[0], (typeof demo)[0], (typeof demo)[0]];

    // 1. The documented run: faithful cases (faithfulness_lexical ≥ 0.7) of an inline dataset.
    expect(runStep.args).toContain(DATASET);
    const run = await evalvault(runStep.args, env(adminKey));
    expect({ code: run.code, missing: missingLines(runStep.lines, run) }).toEqual({ code: 0, missing: [] });
    const runId = /run ([0-9a-f-]{36})/.exec(run.stderr + run.stdout)![1]!;

    // 2. Memory forms at RunCompleted, asynchronously: proposed facts, with the run and the case as sources.
    const viewerKey = await issueKey('viewer');
    let vpn: Fact[] = [];
    const deadline = Date.now() + 60_000;
    while (vpn.length < 2 && Date.now() < deadline) {
      vpn = (await api<{ items: Fact[] }>('/memory/facts?q=VPN', viewerKey)).body.items ?? [];
      if (vpn.length < 2) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(vpn.map((fact) => `${fact.subject} | ${fact.predicate} | ${fact.object}`).sort()).toEqual([
      'GlobalGate VPN client | connects staff to | the corporate network',
      'GlobalGate VPN client | disconnects after | 12 hours',
    ]);
    for (const fact of vpn) {
      expect(fact).toMatchObject({ status: 'proposed', kind: 'inferred', domain: 'help-desk', verificationCount: 0 });
      expect(fact.sources).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'run', id: runId })]));
    }
    const all = (await api<{ items: Fact[] }>('/memory/facts?limit=50', viewerKey)).body.items;
    expect(all.map((fact) => fact.subject)).not.toContain('finance director'); // its case was not faithful

    // 3. The documented search, as a viewer.
    const search = await evalvault(searchStep.args, env(viewerKey));
    expect({ code: search.code, missing: missingLines(searchStep.lines, search) }).toEqual({ code: 0, missing: [] });

    // 4. The documented verification: refused to a viewer, done by an approver (the fact id is this run's).
    const target = vpn.find((fact) => fact.predicate === 'connects staff to')!;
    const verifyArgs = verifyStep.args.map((arg) => (/^[0-9a-f]{32}$|^<fact id>$/.test(arg) ? target.factId : arg));
    const refused = await evalvault(verifyArgs, env(viewerKey));
    expect({ code: refused.code, reason: lastLine(refused.stderr) }).toEqual({
      code: 2,
      reason: expect.stringMatching(/^evalvault: error: 403 /) as unknown as string,
    });
    const approver = await api<{ key: string; apiKeyId: string }>('/api-keys', adminKey, {
      method: 'POST',
      body: { name: 'reviewer', role: 'approver' },
    });
    const verified = await evalvault(verifyArgs, env(approver.body.key));
    expect({ code: verified.code, missing: missingLines(verifyStep.lines, verified) }).toEqual({
      code: 0,
      missing: [],
    });
    const after = await api<Fact>(`/memory/facts/${target.factId}`, viewerKey);
    expect(after.body).toMatchObject({ status: 'verified', verificationCount: 1 });
    const found = await api<{ items: Fact[] }>('/memory/facts?q=VPN&status=verified', viewerKey);
    expect(found.body.items.map((fact) => fact.factId)).toEqual([target.factId]);

    // Who verified it, when and why: in the tenant's audit log (read by an auditor), never the fact's text.
    const auditor = await api<{ key: string }>('/api-keys', adminKey, {
      method: 'POST',
      body: { name: 'auditor', role: 'viewer', tenantRoles: ['auditor'] },
    });
    type AuditEntry = { actor: { subject: string }; resources: { type: string; id: string }[]; details: object };
    let audited: AuditEntry[] = [];
    for (const until = Date.now() + 30_000; audited.length === 0 && Date.now() < until; ) {
      const page = await fetch(`${url}/v1/audit?action=FactVerified`, {
        headers: { authorization: `Bearer ${auditor.body.key}` },
      });
      audited = ((await page.json()) as { items?: AuditEntry[] }).items ?? [];
      if (audited.length === 0) await new Promise((resolve) => setTimeout(resolve, 300));
    }
    expect(audited).toEqual([
      expect.objectContaining({
        actor: expect.objectContaining({ subject: `api-key:${approver.body.apiKeyId}` }),
        resources: [expect.objectContaining({ type: 'memory-fact', id: target.factId })],
        details: expect.objectContaining({ reason: 'matches IT-014', verificationCount: 1 }),
      }),
    ]);
    expect(JSON.stringify(audited)).not.toContain('GlobalGate');

    // 5. A deletion request (admin) for the subject: gone from search, export and the read model.
    const forget = await evalvault(['memory', 'forget', '--subject', 'GlobalGate VPN client'], env(adminKey));
    expect(forget.code).toBe(0);
    const forgotten =
      /^deletion \S+: (\d+) entr(?:y|ies) forgotten for good \(subject "GlobalGate VPN client"\)\n$/.exec(
        forget.stdout,
      );
    expect(Number(forgotten?.[1])).toBeGreaterThanOrEqual(2); // both VPN facts (and any behaviour about it)
    expect((await api<{ items: Fact[] }>('/memory/facts?q=VPN', viewerKey)).body.items).toEqual([]);
    expect((await api(`/memory/facts/${target.factId}`, viewerKey)).status).toBe(404);
    const exported = await evalvault(['memory', 'export'], env(viewerKey));
    expect(exported.code).toBe(0);
    const triples = (JSON.parse(exported.stdout) as { facts: Fact[] }).facts;
    expect(triples.length).toBeGreaterThanOrEqual(3); // password, printing, guest Wi-Fi
    expect(exported.stdout).not.toContain('GlobalGate');
    const ids = vpn.map((fact) => fact.factId);
    const rows = await db.query('SELECT fact_id FROM memory.facts WHERE fact_id = ANY($1)', [ids]);
    expect(rows.rows).toEqual([]);
    const keys = await db.query('SELECT key_id FROM memory.content_keys WHERE key_id = ANY($1) AND key IS NOT NULL', [
      ids,
    ]);
    expect(keys.rows).toEqual([]); // crypto-shredded: the old events' text stays unreadable
  });
});
