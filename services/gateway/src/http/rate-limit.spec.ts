import { Body, Controller, Get, Module, Post } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { postJson, startEdgesApp, TEST_CALLER_HEADER, TEST_TENANT_HEADER, type EdgesApp } from './testing/edges-app.js';

@Controller()
class PingController {
  @Get('ping')
  ping(): { pong: true } {
    return { pong: true };
  }

  @Get('unlimited')
  @RouteConfig({ rateLimit: false })
  unlimited(): { pong: true } {
    return { pong: true };
  }

  @Post('echo')
  echo(@Body() body: unknown): { length: number } {
    return { length: JSON.stringify(body).length };
  }
}

@Module({ controllers: [PingController] })
class PingModule {}

const as = (tenant: string): RequestInit => ({ headers: { [TEST_TENANT_HEADER]: tenant } });

describe('HTTP edges: per-tenant rate limit', () => {
  let edges: EdgesApp;
  beforeAll(async () => {
    edges = await startEdgesApp(PingModule, {
      rateLimit: { max: 3, windowMs: 60_000, tenantMax: { big: 5 } },
      idempotency: false,
    });
  });
  afterAll(() => edges.app.close());

  it('answers request N+1 of a tenant with 429 and Retry-After; other tenants are not affected', async () => {
    for (let i = 0; i < 3; i += 1) expect((await fetch(`${edges.url}/ping`, as('acme'))).status).toBe(200);
    const limited = await fetch(`${edges.url}/ping`, as('acme'));
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(await limited.json()).toMatchObject({ status: 429, code: 'RATE_LIMITED', instance: '/ping' });

    expect((await fetch(`${edges.url}/ping`, as('globex'))).status).toBe(200);
  });

  it('gives a tenant its own limit when configured', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) statuses.push((await fetch(`${edges.url}/ping`, as('big'))).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
  });

  it('counts unauthenticated requests per client address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await fetch(`${edges.url}/ping`)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect((await fetch(`${edges.url}/ping`, as('initech'))).status).toBe(200);
  });

  it("holds one caller to its share of the tenant limit; the tenant's other callers keep theirs", async () => {
    const key = (caller: string): RequestInit => ({
      headers: { [TEST_TENANT_HEADER]: 'shared', [TEST_CALLER_HEADER]: caller },
    });
    const runaway: number[] = [];
    for (let i = 0; i < 5; i += 1) runaway.push((await fetch(`${edges.url}/ping`, key('api-key:ci'))).status);
    // Default share: half the tenant's 3, rounded up.
    expect(runaway).toEqual([200, 200, 429, 429, 429]);
    const refused = await fetch(`${edges.url}/ping`, key('api-key:ci'));
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ status: 429, code: 'RATE_LIMITED', detail: /per caller/ });
    // The refused requests did not spend the tenant's budget: another caller still gets the rest.
    expect((await fetch(`${edges.url}/ping`, key('user:ana'))).status).toBe(200);
  });

  it('leaves probes, metrics and opted-out routes alone', async () => {
    for (let i = 0; i < 5; i += 1) {
      expect((await fetch(`${edges.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${edges.url}/unlimited`)).status).toBe(200);
    }
  });

  it('limits bodies to 1 MiB by default', async () => {
    const limit = 1024 * 1024;
    const fits = await postJson(`${edges.url}/echo`, JSON.stringify('x'.repeat(limit - 2)), {
      [TEST_TENANT_HEADER]: 'bodies',
    });
    expect(fits.status).toBe(201);
    const tooBig = await postJson(`${edges.url}/echo`, JSON.stringify('x'.repeat(limit - 1)), {
      [TEST_TENANT_HEADER]: 'bodies',
    });
    expect(tooBig.status).toBe(413);
    expect(await tooBig.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
  });
});
