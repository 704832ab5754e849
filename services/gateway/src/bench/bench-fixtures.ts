import { randomBytes } from 'node:crypto';
import { ServiceClientError, ServiceClientErrorCode, type OperationHandlers } from '@evalvault/platform';
import type { RunView, RunsOperations, SubmitRunRequest, SubmittedRun } from '@evalvault/service-apis';
import { API_KEY_PREFIX } from '../auth/api-keys.js';
import { DEFAULT_PROJECT } from '../auth/bootstrap-key.js';

/**
 * What the benchmark asks and what the stand-in runs service answers: fixed values of a
 * realistic size (a completed run with three metrics and a two-rule gate), so both the
 * gateway and the bare baseline send the same bytes every time.
 */
const hash = (seed: string): string => seed.repeat(64 / seed.length);

export const RUN_VIEW: RunView = {
  runId: 'run-0b7c3f1e-5d2a-4c8e-9f61-2a4d8e7b1c90',
  projectId: DEFAULT_PROJECT,
  status: 'completed',
  counts: { total: 200, evaluated: 198, failed: 2 },
  metrics: ['faithfulness', 'answer_relevancy', 'exact_match'],
  aggregates: [
    { metric: 'faithfulness', count: 198, mean: 0.873, min: 0.21, max: 1, p10: 0.64, p50: 0.91, p90: 0.99 },
    { metric: 'answer_relevancy', count: 198, mean: 0.812, min: 0.35, max: 0.98, p10: 0.6, p50: 0.84, p90: 0.95 },
    { metric: 'exact_match', count: 198, mean: 0.571, min: 0, max: 1, p10: 0, p50: 1, p90: 1 },
  ],
  gateRules: ['mean(faithfulness) >= 0.8', 'p10(answer_relevancy) >= 0.5'],
  verdict: 'passed',
  gate: {
    passed: true,
    baselineRunId: null,
    baselineSource: null,
    rules: [
      {
        rule: 'mean(faithfulness) >= 0.8',
        metric: 'faithfulness',
        aggregate: 'mean',
        comparator: '>=',
        threshold: 0.8,
        actual: 0.873,
        passed: true,
        baselineValue: null,
        noBaseline: false,
      },
      {
        rule: 'p10(answer_relevancy) >= 0.5',
        metric: 'answer_relevancy',
        aggregate: 'p10',
        comparator: '>=',
        threshold: 0.5,
        actual: 0.6,
        passed: true,
        baselineValue: null,
        noBaseline: false,
      },
    ],
  },
  configHash: hash('c0ffee'),
  lineage: {
    dataset: { id: 'ds-support-faq', name: 'support-faq', version: 3, contentHash: hash('d4') },
    datasetKey: 'ds-support-faq@3',
    prompt: { id: 'pr-answer', name: 'answer', version: 7, contentHash: hash('a7') },
    modelProfile: { id: 'mp-judge', name: 'judge-default', version: 2, contentHash: hash('b2') },
    judge: null,
  },
  labels: { branch: 'main', commit: '9f2c4e1', pipeline: 'nightly' },
  retryOf: null,
  requestedBy: 'api-key:0123456789ab',
  requestedAt: '2026-11-26T08:00:00.000Z',
  startedAt: '2026-11-26T08:00:00.412Z',
  finishedAt: '2026-11-26T08:03:41.907Z',
  costUsd: 0.4187,
  usage: {
    requests: 212,
    promptTokens: 61_840,
    completionTokens: 4_902,
    totalTokens: 66_742,
    cacheHits: 4,
    costUsd: 0.4187,
  },
  failure: null,
  memory: { use: false },
};

/** A submission by reference to a registered dataset, prompt and model profile, as CI sends it. */
export const SUBMIT_BODY: SubmitRunRequest = {
  dataset: { id: 'ds-support-faq', version: 3 },
  metrics: ['faithfulness', 'answer_relevancy', 'exact_match'],
  gate: { rules: ['mean(faithfulness) >= 0.8', 'p10(answer_relevancy) >= 0.5'] },
  prompt: { id: 'pr-answer', name: 'answer', version: 7, contentHash: hash('a7') },
  modelProfile: { id: 'mp-judge', name: 'judge-default', version: 2, contentHash: hash('b2') },
  labels: { branch: 'main', commit: '9f2c4e1', pipeline: 'nightly' },
};

export const SUBMITTED_RUN: SubmittedRun = {
  runId: RUN_VIEW.runId,
  status: 'requested',
  configHash: RUN_VIEW.configHash,
};

const notBenchmarked = async (): Promise<never> => {
  throw new ServiceClientError(ServiceClientErrorCode.NotFound, 'not served by the benchmark');
};

/** The runs service's handlers, answering at once: the figures measure the gateway, not the owner. */
export const FIXED_RUNS_HANDLERS: OperationHandlers<RunsOperations> = {
  getRun: async () => RUN_VIEW,
  submitRun: async () => SUBMITTED_RUN,
  listRuns: notBenchmarked,
  getCases: notBenchmarked,
  cancelRun: notBenchmarked,
  retryRun: notBenchmarked,
  compareRuns: notBenchmarked,
  createSchedule: notBenchmarked,
  listSchedules: notBenchmarked,
  getSchedule: notBenchmarked,
  pauseSchedule: notBenchmarked,
  resumeSchedule: notBenchmarked,
  deleteSchedule: notBenchmarked,
};

/** A fresh key in the bootstrap key's format, `evk_<12 hex>_<43 base64url>`, never printed. */
export function freshBootstrapKey(): string {
  return `${API_KEY_PREFIX}${randomBytes(6).toString('hex')}_${randomBytes(32).toString('base64url')}`;
}
