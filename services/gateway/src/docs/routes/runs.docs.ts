import { RUN_VIEW } from '../../runs/run-view.schemas.js';
import type { RouteDoc, RouteKey } from '../route-doc.js';

const RUNS = '/v1/projects/{project}/runs';

const SUBMITTED = {
  type: 'object',
  required: ['runId', 'status', 'configHash'],
  properties: {
    runId: { type: 'string', description: 'Follow it at GET …/runs/{runId} or …/runs/{runId}/events' },
    status: { type: 'string', description: 'The run as it stands: `requested` for a new one' },
    configHash: {
      type: 'string',
      description: 'Hash of what decides the scores: dataset content, metrics, gate, versions',
    },
  },
} as const;

export const RUNS_DOCS: Record<RouteKey, RouteDoc> = {
  [`POST ${RUNS}`]: {
    summary: 'Submit a run',
    description:
      'Evaluates a dataset with the given metrics and, when `gate.rules` are given, decides the gate. ' +
      'The dataset is either inline (`{name, cases}`, up to 5,000 cases within the body limit) or a registered ' +
      'version (`{id, version}`); a prompt and a model profile may be named by id or name, at a version or the ' +
      'label `latest`/`approved`. The answer comes at once with the run id: scoring goes on in the background ' +
      '(follow `…/runs/{runId}/events` or poll `…/runs/{runId}`). With an `Idempotency-Key`, a retried submission ' +
      'answers the run it already made. 404: a named version does not exist; 422 `VERSION_NOT_APPROVED`: the ' +
      "project runs approved versions only; 422 `POLICY_VIOLATION`: the project's policy does not allow a metric " +
      "or the judge's or model profile's model, or a run calling the judge finds a spending cap already spent " +
      '(the detail names the policy field and the value); 422 `JUDGE_NOT_CONFIGURED`: a metric is LLM-judged and ' +
      'the platform has no judge (the detail names the metrics and `EVALVAULT_JUDGE_PROVIDER`). ' +
      "With `memory: {use: true}`, `baseline` rules compare with Domain Memory's learned baseline of the " +
      'dataset and metric (a rule on min, max or pass_rate at another threshold than 0.5 is a 400 naming the ' +
      "rule and column), and the verdict's `baselineSource` names the learnings and their versions.",
    success: { 202: 'Accepted: the run is requested and will be scored' },
    response: SUBMITTED,
    errors: [404, 409, 422],
    example: {
      request: {
        dataset: {
          name: 'help-desk',
          cases: [
            {
              id: 'vpn',
              question: 'How do I connect to the network from home?',
              answer: 'Use the GlobalGate VPN client and approve the push notification.',
              contexts: ['IT-014 Remote access. Staff connect with the GlobalGate VPN client.'],
              ground_truth: 'Connect with the GlobalGate VPN client and approve the push notification.',
            },
          ],
        },
        metrics: ['token_f1', 'faithfulness_lexical'],
        gate: { rules: ['mean(token_f1) >= 0.6', 'pass_rate(faithfulness_lexical, 0.5) >= 0.9'] },
        labels: { branch: 'main', commit: '3f2a9c1' },
      },
      response: {
        runId: '3eac015b-c8bc-5002-8db1-2622763ac73c',
        status: 'requested',
        configHash: 'sha256:9d1c…',
      },
    },
  },
  [`GET ${RUNS}`]: {
    summary: 'List runs',
    description:
      "The project's runs, newest first, a page at a time (`limit`, then `cursor` from `nextCursor`); " +
      'filter by `status`, `dataset` (an inline dataset by name, a registered one by id) or `label` (`key=value`).',
    success: { 200: 'A page of runs' },
  },
  [`GET ${RUNS}/{runId}`]: {
    summary: 'Get a run',
    description:
      'Its status, case counts, per-metric aggregates (mean, percentiles), the gate verdict with every rule ' +
      'and where baseline rules took their baseline (`gate.baselineSource`: the last passing run, or memory with ' +
      "each learning's version), whether the run uses Domain Memory (`memory.use`), the lineage: dataset, " +
      'prompt, model profile and judge versions, and its LLM use (`usage`: requests, prompt and completion ' +
      'tokens, cached answers and cost; all zero for a run without LLM-judged metrics).',
    success: { 200: 'The run' },
    response: RUN_VIEW,
  },
  [`GET ${RUNS}/{runId}/cases`]: {
    summary: "List a run's cases",
    description: "Each case's scores (or why it failed), a page at a time; `status=failed` for the failed ones.",
    success: { 200: 'A page of cases' },
  },
  [`GET ${RUNS}/{runId}/events`]: {
    summary: "Follow a run's progress",
    description:
      'Server-Sent Events: `progress` frames as cases are scored, then the final state, and the stream ends. ' +
      'The credential is re-checked while it lasts; when it is revoked or expires the stream ends with an ' +
      '`error` event carrying problem details (`CREDENTIAL_REVOKED`, `CREDENTIAL_EXPIRED`, `FORBIDDEN`).',
    success: { 200: 'An event stream until the run ends' },
    successType: 'text/event-stream',
  },
  [`GET ${RUNS}/{runId}/compare/{otherRunId}`]: {
    summary: 'Compare two runs',
    description:
      'Per metric, the difference between the run (base) and the other run (candidate) on the cases they ' +
      'share, with its confidence interval, a paired test and the cases that regressed most.',
    success: { 200: 'The comparison' },
  },
  [`POST ${RUNS}/{runId}/cancel`]: {
    summary: 'Cancel a run',
    description:
      'Stops a run that has not ended (`reason` is recorded); cases already scored keep their scores. ' +
      '409: the run has already ended.',
    success: { 202: 'Accepted: the run is being cancelled' },
    errors: [409],
  },
  [`POST ${RUNS}/{runId}/retry`]: {
    summary: 'Retry a run',
    description:
      'A new run from the same configuration and pinned versions: `mode: failed` (default) scores again only ' +
      "the cases that failed, `all` every case. It is checked against the project's policy of now and pins it " +
      '(422 `POLICY_VIOLATION`); a run with LLM-judged metrics needs a judge now too (422 `JUDGE_NOT_CONFIGURED`).',
    success: { 202: 'Accepted: the retry is a new run' },
    response: SUBMITTED,
    errors: [409, 422],
  },
};
