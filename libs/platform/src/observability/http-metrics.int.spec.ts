import { Controller, Get, HttpException, Module, Param } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadServiceConfig } from '../config/service-config.js';
import { createServiceApp } from '../service/run-service.js';
import { sampleValue } from '../testing/metric-samples.js';
import { createLogger } from './logger.js';

@Controller('things')
class ThingsController {
  @Get(':id')
  one(@Param('id') id: string): { id: string } {
    if (id === 'missing') throw new HttpException('no such thing', 404);
    return { id };
  }
}

@Module({ controllers: [ThingsController] })
class ThingsModule {}

/** Real requests over a socket to a real service app, then its own /metrics read back. */
describe('HTTP metrics', () => {
  let app: NestFastifyApplication;
  let url: string;

  beforeAll(async () => {
    const config = { ...loadServiceConfig('http-metrics-test', {}, 0), logLevel: 'silent' as const };
    app = await createServiceApp(ThingsModule, config, createLogger(config));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.getHttpServer().address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(() => app.close());

  const scrape = async (): Promise<string> => (await fetch(`${url}/metrics`)).text();

  it('counts requests by route template and status, never by the path with its ids', async () => {
    for (const id of ['a1', 'b2', 'c3']) expect((await fetch(`${url}/things/${id}`)).status).toBe(200);
    expect((await fetch(`${url}/things/missing`)).status).toBe(404);
    expect((await fetch(`${url}/no/such/route/x9`)).status).toBe(404);
    const text = await scrape();
    const route = { method: 'GET', route: '/things/:id', service: 'http-metrics-test' };
    expect(sampleValue(text, 'http_requests_total', { ...route, status: '200' })).toBe(3);
    expect(sampleValue(text, 'http_requests_total', { ...route, status: '404' })).toBe(1);
    expect(sampleValue(text, 'http_requests_total', { route: 'unmatched', status: '404' })).toBe(1);
    expect(text).not.toMatch(/route="[^"]*(a1|b2|c3|x9)/);
  });

  it('times every answered request in the duration histogram', async () => {
    const before = sampleValue(await scrape(), 'http_request_duration_seconds_count', {
      route: '/things/:id',
      status: '200',
    });
    await fetch(`${url}/things/d4`);
    const text = await scrape();
    const labels = { route: '/things/:id', status: '200' };
    expect(sampleValue(text, 'http_request_duration_seconds_count', labels)).toBe((before ?? 0) + 1);
    expect(sampleValue(text, 'http_request_duration_seconds_bucket', { ...labels, le: '+Inf' })).toBe(
      (before ?? 0) + 1,
    );
    expect(sampleValue(text, 'http_request_duration_seconds_sum', labels)).toBeGreaterThan(0);
  });
});
