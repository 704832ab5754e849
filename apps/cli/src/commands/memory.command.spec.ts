import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fakeIo } from '../../test/support/fake-io.js';
import { runCli } from '../cli.js';

const FACT_ID = '3f1c9a0e6b2d4f7a8c5e1d0b9a7f6e4c';
const fact = {
  factId: FACT_ID,
  subject: 'staff',
  predicate: 'connect with',
  object: 'the GlobalGate VPN client',
  domain: 'help-desk',
  language: 'en',
  kind: 'inferred',
  status: 'proposed',
  verificationScore: 0.91,
  verificationCount: 0,
  lastVerifiedAt: null,
  proposedAt: '2026-12-05T10:00:00.000Z',
  sources: [
    { kind: 'run', id: 'run-1', runId: null },
    { kind: 'case', id: 'it-001', runId: 'run-1' },
  ],
  conflictsWith: [],
};
const policy = {
  projectId: 'default',
  version: 0,
  policy: { inferredUsableBeforeVerification: false, decay: { factor: 0.95, periodDays: 30 } },
};

interface Seen {
  method: string;
  url: string;
  body: unknown;
  idempotencyKey: string | undefined;
}

/** A gateway answering the memory routes as the real one does, recording what it was asked. */
describe('evalvault memory', () => {
  let server: Server;
  let url: string;
  const seen: Seen[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'evalvault-memory-'));

  const read = async (request: IncomingMessage): Promise<unknown> => {
    let text = '';
    for await (const chunk of request) text += chunk;
    return text ? JSON.parse(text) : undefined;
  };

  beforeAll(async () => {
    server = createServer((request, response) => {
      void read(request).then((body) => {
        const path = request.url ?? '';
        seen.push({
          method: request.method ?? '',
          url: path,
          body,
          idempotencyKey: request.headers['idempotency-key'] as string | undefined,
        });
        const answer = (status: number, value: unknown, type = 'application/json') => {
          response.writeHead(status, { 'content-type': type });
          response.end(JSON.stringify(value));
        };
        const base = '/v1/projects/default/memory';
        if (path.startsWith(`${base}/facts?`))
          answer(200, { items: [fact], nextCursor: null, meta: { vector: false } });
        else if (path === `${base}/facts/${FACT_ID}`) answer(200, fact);
        else if (path === `${base}/facts/${FACT_ID}/verify`)
          answer(200, { ...fact, status: 'verified', kind: 'verified', verificationCount: 1, verificationScore: 1 });
        else if (path === `${base}/facts/${FACT_ID}/reject`) answer(200, { ...fact, status: 'rejected' });
        else if (path === `${base}/deletions`) answer(202, { requestId: 'del-1', forgotten: 3 });
        else if (path === `${base}/policy`) answer(200, request.method === 'PUT' ? { ...policy, version: 1 } : policy);
        else if (path === `${base}/export`)
          answer(200, { format: 'evalvault.memory.triples/v1', projectId: 'default', exportedAt: 'x', facts: [fact] });
        else if (path === `${base}/import`) answer(200, { proposed: 1, supported: 1 });
        else if (path.startsWith(`${base}/behaviours?`))
          answer(200, {
            items: [
              {
                behaviourId: 'b1',
                trigger: 'how:connect',
                action: 'answer from 1 context',
                successRate: 1,
                useCount: 2,
              },
            ],
            nextCursor: null,
            meta: { vector: false },
          });
        else if (path.startsWith(`${base}/learnings?`))
          answer(200, {
            items: [
              {
                learningId: 'l1',
                datasetKey: 'inline:help-desk',
                metric: 'faithfulness_lexical',
                baseline: { count: 2, mean: 0.8333, p10: 0.5, p50: 1, p90: 1, passRate: 0.8333 },
                failurePatterns: [{ dimension: 'question_type', value: 'who', count: 2, lastRunId: 'run-2' }],
              },
            ],
            nextCursor: null,
          });
        else if (path === `${base}/runs/run-2/insights`)
          answer(200, {
            runId: 'run-2',
            datasetKey: 'inline:help-desk',
            trends: [
              { metric: 'faithfulness_lexical', mean: 0.7, baselineMean: 0.8333, delta: -0.1333, direction: 'worse' },
            ],
            repeatedFailurePatterns: [{ dimension: 'question_type', value: 'who', count: 2, lastRunId: 'run-2' }],
          });
        else
          answer(
            404,
            { title: 'Not found', status: 404, detail: 'fact nope not found', code: 'NOT_FOUND' },
            'application/problem+json',
          );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  async function cli(argv: string[]) {
    const io = fakeIo({
      XDG_CONFIG_HOME: mkdtempSync(join(dir, 'config-')),
      EVALVAULT_URL: url,
      EVALVAULT_API_KEY: 'evk_0123456789ab_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    });
    const code = await runCli(argv, io, { loadEmbedded: () => Promise.reject(new Error('not here')) });
    return { code, out: io.out(), err: io.err() };
  }

  it('searches with the filters it was given and prints one fact a line', async () => {
    const argv = ['memory', 'search', 'VPN client', '--kind', 'inferred', '--min-score', '0.5', '--usable'];
    const result = await cli(argv);
    expect(result).toMatchObject({ code: 0, err: '' });
    expect(result.out.split('\n')).toEqual([
      'fact                              status    kind      score  subject · predicate · object',
      '--------------------------------  --------  --------  -----  ' + '-'.repeat(48),
      `${FACT_ID}  proposed  inferred  0.910  staff · connect with · the GlobalGate VPN client`,
      '1 fact matching "VPN client"',
      '',
    ]);
    const query = new URL(seen.at(-1)!.url, url).searchParams;
    const expected = { q: 'VPN client', kind: 'inferred', minScore: '0.5', usable: 'true', limit: '20' };
    expect(Object.fromEntries(query)).toEqual(expected);
  });

  it('shows a fact, verifies and rejects it, each write with an Idempotency-Key', async () => {
    const shown = await cli(['memory', 'show', FACT_ID]);
    expect(shown.out).toContain('  staff · connect with · the GlobalGate VPN client\n');
    expect(shown.out).toContain('  sources: run run-1, case it-001 (run run-1)\n');
    const verified = await cli(['memory', 'verify', FACT_ID, '--reason', 'matches IT-014']);
    expect(verified).toMatchObject({
      code: 0,
      out:
        `fact ${FACT_ID} verified: staff · connect with · the GlobalGate VPN client ` +
        '(verified 1 time, score 1.000)\n',
    });
    expect(seen.at(-1)).toMatchObject({ method: 'POST', body: { reason: 'matches IT-014' } });
    expect(seen.at(-1)!.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect((await cli(['memory', 'reject', FACT_ID, '--reason', 'outdated'])).out).toMatch(/ rejected: staff/);
    expect(seen.at(-1)).toMatchObject({ method: 'POST', body: { reason: 'outdated' } });
  });

  it('requests a deletion by subject and says how much was forgotten', async () => {
    const result = await cli(['memory', 'forget', '--subject', 'staff']);
    expect(result).toMatchObject({ code: 0, out: 'deletion del-1: 3 entries forgotten for good (subject "staff")\n' });
    expect(seen.at(-1)).toMatchObject({ method: 'POST', body: { target: 'subject', value: 'staff' } });
  });

  it('shows the policy, and replaces it from a file with a reason', async () => {
    const shown = await cli(['memory', 'policy']);
    expect(shown.out.split('\n').slice(0, 1)).toEqual([
      'memory policy of project default: version 0 (the defaults, never set)',
    ]);
    expect(shown.out).toMatch(/^decay\.factor\s+0\.95$/m);
    const file = join(dir, 'policy.json');
    writeFileSync(file, JSON.stringify({ decay: { factor: 0.9 } }));
    const set = await cli(['memory', 'policy', '--set', file, '--reason', 'faster decay']);
    expect(set.out).toMatch(/^memory policy of project default: version 1\n/);
    expect(seen.at(-1)).toMatchObject({ method: 'PUT', body: { decay: { factor: 0.9 }, reason: 'faster decay' } });
  });

  it('exports to a file and imports it back', async () => {
    const file = join(dir, 'memory.json');
    expect((await cli(['memory', 'export', '-o', file])).out).toBe(`exported 1 fact to ${file}\n`);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ facts: [{ subject: 'staff' }] });
    const imported = await cli(['memory', 'import', file]);
    expect(imported.out).toBe('imported 1 triple: 1 proposed for review, 1 supporting facts already known\n');
  });

  it('lists behaviours and learnings, and a run’s insights against the learned baselines', async () => {
    expect((await cli(['memory', 'behaviours', 'connect'])).out).toBe(
      [
        'trigger      success  uses  action',
        '-----------  -------  ----  ---------------------',
        'how:connect    1.000     2  answer from 1 context',
        '1 behaviour',
        '',
      ].join('\n'),
    );
    const learned = await cli(['memory', 'learnings', '--dataset', 'inline:help-desk']);
    expect(learned.out).toContain(
      'inline:help-desk  faithfulness_lexical     2  0.833  0.500      0.833  question_type=who ×2',
    );
    expect(new URL(seen.at(-1)!.url, url).searchParams.get('dataset')).toBe('inline:help-desk');
    const insights = await cli(['memory', 'insights', 'run-2']);
    expect(insights.out.split('\n')).toEqual([
      "run run-2 against dataset inline:help-desk's learned baselines",
      'metric                 mean  learned   delta  trend',
      '--------------------  -----  -------  ------  -----',
      'faithfulness_lexical  0.700    0.833  -0.133  worse',
      'repeated failure patterns: question_type=who (2 cases)',
      '',
    ]);
  });

  it('exits 2 with one line on usage errors, before asking the server anything', async () => {
    const before = seen.length;
    const cases: [string[], string][] = [
      [['memory', 'serch'], 'memory: unknown command "serch" (did you mean search?) (search, show, verify'],
      [['memory', 'search', '--min-score', '1.5'], '--min-score must be a number from 0 to 1, got "1.5"'],
      [['memory', 'search', '--kind', 'verifed'], '--kind must be one of verified, inferred, contradictory'],
      [['memory', 'search', '--limitt', '3'], "Unknown option '--limitt' (did you mean --limit?)"],
      [['memory', 'verify'], 'memory verify: missing <factId>'],
      [['memory', 'reject', FACT_ID], 'memory reject: --reason is required'],
      [['memory', 'forget'], 'memory forget: give --subject TEXT or --document ID'],
      [['memory', 'forget', '--subject', 'a', '--document', 'b'], 'give --subject TEXT or --document ID'],
      [['memory', 'policy', '--set', join(dir, 'missing.json')], 'cannot read'],
    ];
    for (const [argv, message] of cases) {
      const result = await cli(argv);
      expect({ argv, code: result.code, err: result.err }).toEqual({
        argv,
        code: 2,
        err: expect.stringContaining(message) as unknown as string,
      });
    }
    expect(seen.length).toBe(before);
  });

  it('exits 2 with the problem of a missing fact', async () => {
    const result = await cli(['memory', 'show', 'nope']);
    expect(result).toMatchObject({ code: 2, err: 'evalvault: error: 404 Not found: fact nope not found\n' });
  });

  it('has help', async () => {
    const result = await cli(['memory', '--help']);
    expect(result).toMatchObject({ code: 0, out: expect.stringContaining('verify <factId> [--reason TEXT]') });
  });
});
