import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fakeIo } from '../../test/support/fake-io.js';
import { caseView, comparisonOf, runView } from '../../test/support/release-fixtures.js';
import { runCli } from '../cli.js';

const RUNS = {
  r1: runView('r1', '2026-12-01T00:00:00.000Z', { token_f1: 0.8, rouge_l: 0.6 }),
  r2: runView('r2', '2026-12-02T00:00:00.000Z', { token_f1: 0.8, rouge_l: 0.62 }),
  r3: runView('r3', '2026-12-03T00:00:00.000Z', { token_f1: 0.5, rouge_l: 0.61 }),
  r4: runView('r4', '2026-12-04T00:00:00.000Z', { token_f1: 0.9, rouge_l: 0.7 }),
};
const summary = (view: (typeof RUNS)['r1']) => ({ runId: view.runId, requestedAt: view.requestedAt });

/** A gateway answering the routes the report reads as the real one does (newest first; an unknown run: 404). */
describe('evalvault report', () => {
  let server: Server;
  let url: string;
  const seen: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'evalvault-report-'));

  beforeAll(async () => {
    server = createServer((request, response) => {
      const path = request.url ?? '';
      seen.push(path);
      const answer = (status: number, value: unknown, type = 'application/json') => {
        response.writeHead(status, { 'content-type': type });
        response.end(JSON.stringify(value));
      };
      const base = '/v1/projects/default/runs';
      const compare = /^\/v1\/projects\/default\/runs\/(\w+)\/compare\/(\w+)$/.exec(path);
      const run = RUNS[path.slice(base.length + 1) as keyof typeof RUNS];
      if (path.startsWith(`${base}?`))
        answer(200, { items: [RUNS.r4, RUNS.r3, RUNS.r2, RUNS.r1].map(summary), nextCursor: null });
      else if (compare) answer(200, comparisonOf(compare[1]!, compare[2]!, 'case-7'));
      else if (path.startsWith(`${base}/r3/cases`))
        answer(200, { items: [caseView('case-7', 'lost the date')], nextCursor: null });
      else if (run) answer(200, run);
      else answer(404, { title: 'Not Found', status: 404, detail: 'run nope not found' }, 'application/problem+json');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => seen.splice(0));

  async function cli(argv: string[]) {
    const io = fakeIo({
      XDG_CONFIG_HOME: mkdtempSync(join(dir, 'config-')),
      EVALVAULT_URL: url,
      EVALVAULT_API_KEY: 'evk_0123456789ab_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    });
    const code = await runCli(argv, io, { loadEmbedded: () => Promise.reject(new Error('not here')) });
    return { code, out: io.out(), err: io.err() };
  }

  it('writes report.md and report.html, comparing with the latest earlier run on the dataset', async () => {
    const out = join(dir, 'default');
    const result = await cli(['report', 'r3', '--out', out]);
    expect(result).toMatchObject({ code: 0, out: `${join(out, 'report.md')}\n${join(out, 'report.html')}\n` });
    expect(result.err).toContain('run r3: gate passed, but a significant regression in token_f1');
    expect(seen).toContain('/v1/projects/default/runs?dataset=ds-1&status=completed&limit=100');
    expect(seen).toContain('/v1/projects/default/runs/r2/compare/r3');
    const markdown = readFileSync(join(out, 'report.md'), 'utf8');
    expect(markdown).toContain('## Trend over the last 3 runs');
    expect(markdown).toContain('| case-7 | 0.900 | 0.100 | -0.800 | lost the date |');
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('<svg ');
  });

  it('--against picks the baseline, --last bounds the trend (the later run r4 is never in it)', async () => {
    const out = join(dir, 'against');
    expect((await cli(['report', 'r3', '--against', 'r1', '--last', '1', '-o', out])).code).toBe(0);
    expect(seen).toContain('/v1/projects/default/runs/r1/compare/r3');
    expect(seen).not.toContain('/v1/projects/default/runs/r4');
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain('## Trend over the last 2 runs');
  });

  it('refuses a bad --last and reports an unknown run with the API’s problem, exit 2', async () => {
    const bad = await cli(['report', 'r3', '--last', '0']);
    expect(bad).toMatchObject({ code: 2, err: expect.stringContaining('--last must be a whole number from 1 to 50') });
    expect(seen).toEqual([]);
    const missing = await cli(['report', 'nope', '--out', join(dir, 'missing')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('run nope not found');
  });
});
