import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fakeIo } from '../../test/support/fake-io.js';
import { runCli } from '../cli.js';
import { CliError } from '../errors.js';
import { followRun, type RunProgress } from './follow-run.js';
import type { RunsApi } from './runs-api.js';

/** A runs API whose event streams are fixed text, one per opening, counted. */
function streaming(...bodies: string[]): RunsApi & { opened: number } {
  const api = {
    opened: 0,
    async events(): Promise<Response> {
      const body = bodies[Math.min(api.opened, bodies.length - 1)]!;
      api.opened += 1;
      return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
    },
  };
  return api as unknown as RunsApi & { opened: number };
}

const progress = 'event: progress\ndata: {"status":"running","counts":{"total":3,"completed":1,"failed":0}}\n\n';
const problem = (code: string, status: number, detail: string): string => {
  const type = `urn:evalvault:problem:${code.toLowerCase()}`;
  return `event: error\ndata: ${JSON.stringify({ type, title: 'x', status, detail, code })}\n\n`;
};

async function failure(api: RunsApi): Promise<CliError> {
  const seen: RunProgress[] = [];
  const error = await followRun(api, 'run-1', (update) => seen.push(update), {
    timeoutMs: 5_000,
    sleep: async () => undefined,
  }).then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(seen).toHaveLength(1);
  expect(error).toBeInstanceOf(CliError);
  return error as CliError;
}

describe('followRun', () => {
  it.each([
    ['CREDENTIAL_REVOKED', 401, 'API key evk_0123456789ab was revoked at 2026-01-01T00:00:00.000Z'],
    ['CREDENTIAL_EXPIRED', 401, 'API key evk_0123456789ab expired at 2026-01-01T00:00:00.000Z'],
    ['FORBIDDEN', 403, 'runs.read needs a role this credential no longer holds in project default'],
  ])(
    'stops with an auth error, never reopening, when the server ends the stream with %s',
    async (code, status, detail) => {
      const api = streaming(`${progress}: keep-alive\n\n${problem(code, status, detail)}`);
      const error = await failure(api);
      expect(error.kind).toBe('auth');
      expect(error.message).toBe(
        `the server stopped following run run-1: ${detail} (${code}); ` +
          'the run goes on: see "evalvault runs show run-1" with a valid credential',
      );
      expect(api.opened).toBe(1);
    },
  );

  it('reports any other error event as the server’s reason, problem details or the older {message}', async () => {
    expect((await failure(streaming(`${progress}${problem('INTERNAL', 500, 'boom')}`))).message).toBe(
      'the server stopped following the run: boom (INTERNAL)',
    );
    const older = await failure(streaming(`${progress}event: error\ndata: {"message":"runs unavailable"}\n\n`));
    expect(older).toMatchObject({ kind: 'api', message: 'the server stopped following the run: runs unavailable' });
  });
});

describe('evalvault run --wait, when the server ends the progress stream for the credential', () => {
  let server: Server;
  let url: string;
  const dir = mkdtempSync(join(tmpdir(), 'evalvault-follow-'));
  const dataset = join(dir, 'qa.jsonl');
  writeFileSync(
    dataset,
    `${JSON.stringify({ id: 'a', question: 'Q?', answer: 'A', contexts: ['A'], ground_truth: 'A' })}\n`,
  );
  const revoked = 'API key evk_0123456789ab was revoked at 2026-01-01T00:00:00.000Z';

  beforeAll(async () => {
    // A gateway that accepts the run, streams one progress event, then ends the stream as the real one does.
    server = createServer((request, response) => {
      if (request.method === 'POST' && request.url === '/v1/projects/default/runs') {
        request.resume();
        response.writeHead(202, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ runId: 'run-1', status: 'requested' }));
      } else if (request.url === '/v1/projects/default/runs/run-1/events') {
        response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
        response.end(`${progress}${problem('CREDENTIAL_REVOKED', 401, revoked)}`);
      } else {
        response.writeHead(404, { 'content-type': 'application/problem+json' });
        response.end(JSON.stringify({ title: 'Not found', status: 404 }));
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('exits 2 with one line saying the credential was revoked', async () => {
    const io = fakeIo({
      XDG_CONFIG_HOME: mkdtempSync(join(dir, 'config-')),
      EVALVAULT_URL: url,
      EVALVAULT_API_KEY: 'evk_0123456789ab_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    });
    const code = await runCli(['run', dataset, '-m', 'exact_match', '--wait'], io, {
      loadEmbedded: () => Promise.reject(new Error('not here')),
    });
    expect(code).toBe(2);
    expect(io.err().trim().split('\n').at(-1)).toBe(
      `evalvault: error: the server stopped following run run-1: ${revoked} (CREDENTIAL_REVOKED); ` +
        'the run goes on: see "evalvault runs show run-1" with a valid credential',
    );
  });
});
