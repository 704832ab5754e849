import { Controller, Get, Header, HttpException, HttpStatus, Inject, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import type { ServiceConfig } from '../config/service-config.js';
import { METRICS_REGISTRY, READINESS_CHECKS, SERVICE_CONFIG } from './tokens.js';
import type { ReadinessChecks } from './health.js';
import { metricsAccess } from './metrics-access.js';

/** /healthz (the process is alive), /readyz (its dependencies answer), /metrics (Prometheus, for the operator only). */
@Controller()
export class OperationsController {
  constructor(
    @Inject(READINESS_CHECKS) private readonly readiness: ReadinessChecks,
    @Inject(METRICS_REGISTRY) private readonly metrics: Registry,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
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
  async prometheus(@Req() request: FastifyRequest): Promise<string> {
    const access = metricsAccess(request.ip, request.headers.authorization, this.config.metricsToken);
    if (!access.allowed) throw new HttpException(access.reason, access.status);
    return this.metrics.metrics();
  }
}
