import { DEFAULT_PROJECT } from '../auth/bootstrap-key.js';
import { RUN_VIEW, SUBMIT_BODY, SUBMITTED_RUN } from './bench-fixtures.js';
import type { Answer } from './bench-servers.js';
import type { Load } from './bench-support.js';

/** What `npm run bench:gateway` sends, and what a profile of the gateway under load sends too. */
export const CONNECTIONS = 10;
export const PIPELINING = 1;
/**
 * The latency target is a p99 at 1,000 req/s offered, not at saturation. Enough connections
 * that the rate, not a slow answer, paces the sending: at 1,000 req/s each of 50 has 50 ms per request.
 */
export const FIXED_RATE = 1_000;
export const FIXED_RATE_CONNECTIONS = 50;
const JSON_MEDIA_TYPE = 'application/json; charset=utf-8';

export interface Route {
  key: string;
  label: string;
  load: Load;
  answer: Answer;
}

/** The measured routes, with the bytes each must answer (the bare baseline sends exactly these). */
export function routes(apiKey: string): Route[] {
  const runs = `/v1/projects/${DEFAULT_PROJECT}/runs`;
  const authorization = `Bearer ${apiKey}`;
  const answer = (status: number, value: unknown): Answer => ({
    status,
    contentType: JSON_MEDIA_TYPE,
    body: Buffer.from(JSON.stringify(value)),
  });
  return [
    {
      key: 'get_run',
      label: 'GET  /v1/projects/{project}/runs/{id}',
      answer: answer(200, RUN_VIEW),
      load: {
        method: 'GET',
        path: `${runs}/${RUN_VIEW.runId}`,
        headers: { authorization },
        connections: CONNECTIONS,
        pipelining: PIPELINING,
      },
    },
    {
      key: 'get_run_at_1000',
      label: `GET  …/runs/{id} at ${FIXED_RATE.toLocaleString('en-US')} req/s`,
      answer: answer(200, RUN_VIEW),
      load: {
        method: 'GET',
        path: `${runs}/${RUN_VIEW.runId}`,
        headers: { authorization },
        connections: FIXED_RATE_CONNECTIONS,
        pipelining: PIPELINING,
        overallRate: FIXED_RATE,
      },
    },
    {
      key: 'submit_run',
      label: 'POST /v1/projects/{project}/runs',
      answer: answer(202, SUBMITTED_RUN),
      load: {
        method: 'POST',
        path: runs,
        headers: { authorization, 'content-type': 'application/json' },
        body: JSON.stringify(SUBMIT_BODY),
        connections: CONNECTIONS,
        pipelining: PIPELINING,
      },
    },
  ];
}
