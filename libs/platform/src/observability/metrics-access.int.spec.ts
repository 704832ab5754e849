import { Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadServiceConfig } from '../config/service-config.js';
import { createServiceApp } from '../service/run-service.js';
import { createLogger } from './logger.js';

@Module({})
class NoFeature {}

/** /metrics over a real service app: the operator's, not whoever reaches the port. */
describe('/metrics access', () => {
  const apps: NestFastifyApplication[] = [];
  afterAll(() => Promise.all(apps.map((app) => app.close())));

  async function serviceWith(env: Record<string, string>): Promise<NestFastifyApplication> {
    const config = { ...loadServiceConfig('metrics-access-test', env, 0), logLevel: 'silent' as const };
    const app = await createServiceApp(NoFeature, config, createLogger(config));
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    apps.push(app);
    return app;
  }

  it('binds this machine only unless HOST says otherwise', () => {
    expect(loadServiceConfig('svc', {}, 3000).host).toBe('127.0.0.1');
    expect(loadServiceConfig('svc', { HOST: '0.0.0.0' }, 3000).host).toBe('0.0.0.0');
  });

  it('answers a loopback scraper and refuses a remote one when no token is set', async () => {
    const app = await serviceWith({});
    const local = await app.inject({ method: 'GET', url: '/metrics', remoteAddress: '127.0.0.1' });
    expect(local.statusCode).toBe(200);
    expect(local.body).toContain('process_cpu_user_seconds_total');
    const remote = await app.inject({ method: 'GET', url: '/metrics', remoteAddress: '203.0.113.7' });
    expect(remote.statusCode).toBe(403);
    expect(remote.body).toContain('METRICS_TOKEN');
    expect(remote.body).not.toContain('process_cpu_user_seconds_total');
    // Health probes stay open: a load balancer on another host must reach them.
    expect((await app.inject({ method: 'GET', url: '/healthz', remoteAddress: '203.0.113.7' })).statusCode).toBe(200);
  });

  it('with METRICS_TOKEN, answers only the bearer of that token, from anywhere', async () => {
    const app = await serviceWith({ METRICS_TOKEN: 's3cret-scrape-token' });
    const scrape = (authorization?: string, remoteAddress = '203.0.113.7') =>
      app.inject({
        method: 'GET',
        url: '/metrics',
        remoteAddress,
        ...(authorization ? { headers: { authorization } } : {}),
      });
    expect((await scrape('Bearer s3cret-scrape-token')).statusCode).toBe(200);
    expect((await scrape('Bearer wrong-token-of-same-len')).statusCode).toBe(401);
    expect((await scrape()).statusCode).toBe(401);
    // A token is configured: loopback no longer skips it.
    expect((await scrape(undefined, '127.0.0.1')).statusCode).toBe(401);
  });
});
