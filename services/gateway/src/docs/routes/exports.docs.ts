import type { RouteDoc, RouteKey } from '../route-doc.js';

const PROJECT = '/v1/projects/{project}';

export const EXPORTS_DOCS: Record<RouteKey, RouteDoc> = {
  [`POST ${PROJECT}/exports`]: {
    summary: 'Create a tracker export',
    description:
      'Pushes each `RunCompleted` of this project to a tracker, once per run and export: Langfuse (a trace per ' +
      'case with its scores, and one for the run), MLflow (a run with parameters, metrics, tags and the per-case ' +
      'table as an artifact) or any OTLP/HTTP traces endpoint such as Phoenix (a span per case with ' +
      'OpenInference attributes). Delivered by the notifier with its retries, circuit breaker, dead letters and ' +
      'delivery log (`GET …/notifications`). Secrets by reference only (`…Ref`: `env:NAME` or `file:/path`, named ' +
      "after the tenant, project and tracker); URLs must be on the notifier's `EVALVAULT_EGRESS_ALLOW`: otherwise " +
      '400 naming the field. 409: an export of that name exists with other settings. Setting up: ' +
      'docs/services/exports.md.',
    success: { 201: 'Created: the export as stored' },
    errors: [409],
    example: {
      request: {
        name: 'mlflow',
        on: ['RunCompleted'],
        destination: { type: 'mlflow', trackingUrl: 'https://mlflow.example.com', experimentName: 'rag-evals' },
      },
    },
  },
  [`GET ${PROJECT}/exports`]: {
    summary: 'List tracker exports',
    description: "The project's exports in force (secret references, never secrets).",
    success: { 200: 'The exports' },
  },
  [`DELETE ${PROJECT}/exports/{exportId}`]: {
    summary: 'Delete a tracker export',
    description: 'No run is exported through it from then on; exports already intended are still delivered.',
    success: { 200: 'The export, deleted' },
  },
};
