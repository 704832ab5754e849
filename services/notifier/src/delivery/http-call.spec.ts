import { once } from 'node:events';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { getCACertificates, setDefaultCACertificates } from 'node:tls';
import { jest } from '@jest/globals';
import { TEST_TLS } from '../testing/tls-fixture.js';
import { parseAddressRanges, type EgressLookup } from '@evalvault/platform';
import { DeliveryStepError, httpCall, pinnedLookup, type HttpDeliveryOptions } from './http-call.js';

interface Seen {
  host: string | undefined;
  servername: string | false | null | undefined;
  method: string | undefined;
  url: string | undefined;
  body: string;
}

/** A local server recording what reached it; `answer` says what it replies. */
async function listen(
  server: Server,
  seen: Seen[],
  answer: (res: ServerResponse) => void = (res) => res.end('ok'),
): Promise<number> {
  server.on('request', async (req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    for await (const chunk of req) body += String(chunk);
    seen.push({
      host: req.headers.host,
      servername: (req.socket as TLSSocket).servername,
      method: req.method,
      url: req.url,
      body,
    });
    answer(res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as { port: number }).port;
}

const close = (server: Server): Promise<void> =>
  new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

/** A lookup answering the next round at each call (the last one from then on): a rebinding DNS. */
function answering(...rounds: string[][]): jest.Mock<EgressLookup> {
  let calls = 0;
  return jest.fn<EgressLookup>(async () =>
    rounds[Math.min(calls++, rounds.length - 1)]!.map((address) => ({
      address,
      family: address.includes(':') ? 6 : 4,
    })),
  );
}

const options = (lookup: EgressLookup, allow: string[], allowPrivate: string[] = []): HttpDeliveryOptions => ({
  egressAllow: allow,
  egressAllowPrivate: parseAddressRanges(allowPrivate),
  lookup,
  timeoutMs: 2_000,
  secrets: async () => '',
  now: Date.now,
});

async function failureOf(call: Promise<unknown>): Promise<DeliveryStepError['failure']> {
  const error = await call.then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(DeliveryStepError);
  return (error as DeliveryStepError).failure;
}

describe('httpCall connects to the address it checked', () => {
  const trusted = getCACertificates('default');
  const seen: Seen[] = [];
  let server: Server;
  let port: number;

  beforeAll(async () => {
    // The test certificate is trusted by this process for these tests only.
    setDefaultCACertificates([...trusted, TEST_TLS.cert]);
    server = createHttpsServer({ cert: TEST_TLS.cert, key: TEST_TLS.key });
    port = await listen(server, seen);
  });

  afterAll(async () => {
    setDefaultCACertificates(trusted);
    await close(server);
  });

  beforeEach(() => {
    seen.length = 0;
  });

  it('reaches 127.0.0.1 through a name resolved once, keeping the name for the Host header and TLS', async () => {
    // The first answer is checked and used; a later resolution would say 203.0.113.7 (nowhere) or 10.0.0.5.
    const lookup = answering(['127.0.0.1'], ['203.0.113.7'], ['10.0.0.5']);
    const answer = await httpCall(
      options(lookup, ['*.example.com'], ['127.0.0.1']),
      'slack webhook',
      `https://${TEST_TLS.hostname}:${port}/services/T/B/x?y=1`,
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text":"gate failed"}' },
    );
    expect(answer).toEqual({ status: 200, body: 'ok', rawBody: Buffer.from('ok'), retryAfter: null });
    expect(lookup).toHaveBeenCalledTimes(1);
    expect(lookup).toHaveBeenCalledWith(TEST_TLS.hostname);
    expect(seen).toEqual([
      {
        host: `${TEST_TLS.hostname}:${port}`,
        servername: TEST_TLS.hostname,
        method: 'POST',
        url: '/services/T/B/x?y=1',
        body: '{"text":"gate failed"}',
      },
    ]);
  });

  it('checks again before the next request: a name rebound to a private address is refused, none sent', async () => {
    const lookup = answering(['127.0.0.1'], ['10.0.0.5']);
    const http = options(lookup, ['*.example.com'], ['127.0.0.1']);
    const url = `https://${TEST_TLS.hostname}:${port}/hook`;
    await httpCall(http, 'slack webhook', url, { method: 'POST', headers: {}, body: '{}' });
    expect(await failureOf(httpCall(http, 'slack webhook', url, { method: 'POST', headers: {}, body: '{}' }))).toEqual({
      error:
        `slack webhook host ${TEST_TLS.hostname} resolves to 10.0.0.5, a private address: ` +
        'refused unless that address is allowed (EVALVAULT_EGRESS_ALLOW_PRIVATE)',
      permanent: true,
      statusCode: null,
      retryAfterMs: null,
    });
    expect(seen).toHaveLength(1);
  });

  it('refuses a wildcard-allowed name that resolves to metadata, loopback or private before connecting', async () => {
    for (const address of ['169.254.169.254', '127.0.0.1', '10.0.0.5', '::ffff:169.254.169.254']) {
      const failure = await failureOf(
        httpCall(
          options(answering([address]), ['*.example.com']),
          'jira create issue',
          `https://${TEST_TLS.hostname}:${port}/`,
          {
            method: 'POST',
            headers: {},
            body: '{}',
          },
        ),
      );
      expect(failure.permanent).toBe(true);
      expect(failure.error).toContain(`jira create issue host ${TEST_TLS.hostname} resolves to ${address}`);
    }
    expect(seen).toHaveLength(0);
  });

  it('checks the certificate against the name, not the address: another name pinned to the server fails', async () => {
    const failure = await failureOf(
      httpCall(
        options(answering(['127.0.0.1']), ['*.example.com'], ['127.0.0.1']),
        'slack webhook',
        `https://other.hooks.example.com:${port}/`,
        { method: 'GET', headers: {} },
      ),
    );
    expect(failure).toMatchObject({
      permanent: false,
      error: `slack webhook: request to other.hooks.example.com:${port} failed (ERR_TLS_CERT_ALTNAME_INVALID)`,
    });
    expect(seen).toHaveLength(0);
  });

  it('tells a name that does not resolve from a refusal (worth retrying)', async () => {
    const missing: EgressLookup = () => Promise.reject(Object.assign(new Error('no such name'), { code: 'ENOTFOUND' }));
    expect(
      await failureOf(
        httpCall(options(missing, ['*.example.com']), 'slack webhook', 'https://gone.example.com/x', {
          method: 'GET',
          headers: {},
        }),
      ),
    ).toMatchObject({ permanent: false, error: 'slack webhook: cannot resolve gone.example.com (ENOTFOUND)' });
  });

  it('counts a resolution that never answers against the timeout', async () => {
    const hanging: EgressLookup = () => new Promise(() => {});
    const http = { ...options(hanging, ['*.example.com']), timeoutMs: 100 };
    expect(
      await failureOf(httpCall(http, 'slack webhook', 'https://slow.example.com/x', { method: 'GET', headers: {} })),
    ).toMatchObject({ permanent: false, error: 'slack webhook: no answer from slow.example.com within 100 ms' });
  });
});

describe('httpCall to a listed loopback address (local test servers)', () => {
  const seen: Seen[] = [];
  let server: Server;
  let port: number;
  const noLookup = jest.fn<EgressLookup>(() => Promise.reject(new Error('an address needs no lookup')));

  beforeAll(async () => {
    server = createHttpServer();
    port = await listen(server, seen, (res) => {
      if (seen.at(-1)?.url === '/moved') {
        res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
        return;
      }
      res.writeHead(429, { 'retry-after': '7' }).end('slow down');
    });
  });

  afterAll(() => close(server));

  it('is reached over http without resolving anything', async () => {
    const answer = await httpCall(
      options(noLookup, ['127.0.0.1']),
      'pagerduty enqueue',
      `http://127.0.0.1:${port}/v2`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"a":1}',
      },
    );
    expect(answer).toEqual({ status: 429, body: 'slow down', rawBody: Buffer.from('slow down'), retryAfter: '7' });
    expect(noLookup).not.toHaveBeenCalled();
    expect(seen.at(-1)).toMatchObject({ host: `127.0.0.1:${port}`, body: '{"a":1}' });
  });

  it('never follows a redirect: the 3xx is the answer', async () => {
    const before = seen.length;
    const answer = await httpCall(options(noLookup, ['127.0.0.1']), 'slack webhook', `http://127.0.0.1:${port}/moved`, {
      method: 'GET',
      headers: {},
    });
    expect(answer.status).toBe(302);
    expect(seen).toHaveLength(before + 1);
  });
});

describe('pinnedLookup', () => {
  const pinned = pinnedLookup('hooks.example.com', [
    { address: '93.184.215.14', family: 4 },
    { address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 },
  ]);
  const call = (name: string, lookupOptions: object): Promise<unknown[]> =>
    new Promise((resolve) => pinned(name, lookupOptions, (...args: unknown[]) => resolve(args)));

  it('answers only the checked addresses, for the checked name, honouring all and family', async () => {
    expect(await call('hooks.example.com', { all: true })).toEqual([
      null,
      [
        { address: '93.184.215.14', family: 4 },
        { address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 },
      ],
    ]);
    expect(await call('hooks.example.com', {})).toEqual([null, '93.184.215.14', 4]);
    expect(await call('hooks.example.com', { family: 6 })).toEqual([null, '2606:2800:21f:cb07:6820:80da:af6b:8b2c', 6]);
    const [error] = await call('elsewhere.example.com', { all: true });
    expect(error).toMatchObject({ code: 'ENOTFOUND' });
  });
});
