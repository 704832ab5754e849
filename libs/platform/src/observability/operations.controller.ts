import { Controller, Get, Header, HttpStatus, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Registry } from 'prom-client';
import { METRICS_REGISTRY, READINESS_CHECKS } from './tokens.js';
import type { ReadinessChecks } from './health.js';

/** /healthz (the process is alive), /readyz (its dependencies answer), /metrics (Prometheus). */
@Controller()
export class OperationsController {
  constructor(
    @Inject(READINESS_CHECKS) private readonly readiness: ReadinessChecks,
    @Inject(METRICS_REGISTRY) private readonly metrics: Registry,
  ) {}

  @Get('healthz')
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('readyz')
  async readyz(@Res({ passthrough: true }) reply: FastifyReply): Promise<unknown> {
    const report = await this.readiness.report();
    reply.status(report.ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return report;
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async prometheus(): Promise<string> {
    return this.metrics.metrics();
  }
}
