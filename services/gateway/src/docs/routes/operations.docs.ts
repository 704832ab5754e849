import type { RouteDoc, RouteKey } from '../route-doc.js';

export const OPERATIONS_DOCS: Record<RouteKey, RouteDoc> = {
  'GET /healthz': {
    summary: 'Liveness',
    description: 'The process is up. No credential.',
    success: { 200: 'Alive' },
    public: true,
    response: { type: 'object', properties: { status: { type: 'string', enum: ['ok'] } } },
  },
  'GET /readyz': {
    summary: 'Readiness',
    description:
      'Whether the gateway can serve: its database, the bus and every loop it runs answer. 503 with a report ' +
      'naming what failed otherwise. No credential.',
    success: { 200: 'Ready: the report of every check' },
    public: true,
  },
  'GET /metrics': {
    summary: 'Prometheus metrics',
    description:
      "For the operator's scraper, not the API's credentials: without `METRICS_TOKEN` it answers this machine " +
      '(loopback) only, 403 otherwise; with it, a scraper sends `Authorization: Bearer <METRICS_TOKEN>` (else 401).',
    success: { 200: 'Metrics in the Prometheus text format' },
    successType: 'text/plain',
    public: true,
    errors: [401, 403],
  },
};
