import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fakeIo } from '../../test/support/fake-io.js';
import { runCli } from '../cli.js';

const schedule = {
  scheduleId: 'sch-1',
  projectId: 'default',
  name: 'nightly',
  cron: '0 2 * * *',
  timeZone: 'Europe/Paris',
  dataset: { id: 'ds-1', version: null },
  metrics: ['token_f1'],
  gateRules: [],
  drift: { threshold: 0.05, baselineRuns: 5 },
  status: 'active',
  nextSlotAt: '2026-12-07T01:00:00.000Z',
  recentRunIds: [],
  drifting: [{ metric: 'token_f1', runId: 'r9', baseline: 0.9 }],
};

/** A gateway answering the schedules routes as the real one does (a bad cron: its 400), recording each request. */
describe('evalvault schedules', () => {
  let server: Server;
  let url: string;
  const seen: Array<{ method: string; url: string; body: unknown }> = [];
  const dir = mkdtempSync(join(tmpdir(), 'evalvault-schedules-'));

  const read = async (request: IncomingMessage): Promise<unknown> => {
    let text = '';
    for await (const chunk of request) text += chunk;
    return text ? JSON.parse(text) : undefined;
  };

  beforeAll(async () => {
    server = createServer((request, response) => {
      void read(request).then((body) => {
        seen.push({ method: request.method ?? '', url: request.url ?? '', body });
        const answer = (status: number, value: unknown, type = 'application/json') => {
          response.writeHead(status, { 'content-type': type });
          response.end(JSON.stringify(value));
        };
        const base = '/v1/projects/default/schedules';
        const problem = { title: 'Bad Request', status: 400, code: 'INVALID_INPUT' };
        if (request.url === base && (body as { cron?: string } | undefined)?.cron === 'nope')
          answer(400, { ...problem, detail: 'cron: "nope" has 1 fields' }, 'application/problem+json');
        else if (request.url === base && request.method === 'POST') answer(201, schedule);
        else if (request.url === base) answer(200, { items: [schedule] });
        else if (request.url === `${base}/sch-1/pause`)
          answer(200, { ...schedule, status: 'paused', nextSlotAt: null });
        else if (request.url === `${base}/sch-1` && request.method === 'DELETE')
          answer(200, { scheduleId: 'sch-1', deleted: true });
        else
          answer(404, { title: 'Not found', status: 404, detail: 'schedule x not found' }, 'application/problem+json');
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

  it('creates a schedule from its flags', async () => {
    const argv = ['schedules', 'create', '--name', 'nightly', '--cron', '0 2 * * *', '--tz', 'Europe/Paris'];
    const result = await cli([...argv, '--dataset', 'ds-1', '--metric', 'token_f1', '--drift-threshold', '0.1']);
    expect(result).toMatchObject({ code: 0, err: '' });
    expect(seen.at(-1)).toMatchObject({
      method: 'POST',
      body: {
        name: 'nightly',
        cron: '0 2 * * *',
        timeZone: 'Europe/Paris',
        dataset: { id: 'ds-1', version: null },
        metrics: ['token_f1'],
        drift: { threshold: 0.1 },
      },
    });
    expect(result.out).toContain('sch-1');
    expect(result.out).toContain('ds-1@approved');
  });

  it('lists, pauses and deletes; a refused cron exits 2 with the reason', async () => {
    expect((await cli(['schedules', 'list'])).out).toMatch(/nightly .* token_f1/);
    expect((await cli(['schedules', 'pause', 'sch-1', '--reason', 'freeze'])).out).toContain('paused');
    expect(seen.at(-1)).toMatchObject({ method: 'POST', body: { reason: 'freeze' } });
    expect(await cli(['schedules', 'delete', 'sch-1'])).toMatchObject({ code: 0, out: 'schedule sch-1 deleted\n' });
    const refused = await cli([
      'schedules',
      'create',
      '--name',
      'x',
      '--cron',
      'nope',
      '--dataset',
      'd',
      '--metric',
      'm',
    ]);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('cron: "nope"');
    expect((await cli(['schedules', 'create', '--name', 'x'])).code).toBe(2);
  });
});
