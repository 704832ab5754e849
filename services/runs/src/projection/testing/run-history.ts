import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { EvalVaultEvent, EventOfType, EventType, VersionRef } from '@evalvault/contracts';
import { testEvent } from '@evalvault/contracts/testing';
import { runMigrations } from '@evalvault/platform';
import { testDatabaseUrl } from '@evalvault/platform/testing';
import { RUNS_READ_MODEL_MIGRATIONS, RUNS_SCHEMA } from '../../migrations/runs.migrations.js';

/** Migrates the shared test database's runs schema and connects to it. */
export async function openReadModel(): Promise<DataSource> {
  await runMigrations(testDatabaseUrl(), RUNS_SCHEMA, RUNS_READ_MODEL_MIGRATIONS);
  return new DataSource({ type: 'postgres', url: testDatabaseUrl(), logging: false }).initialize();
}

export const RAG_QA: VersionRef = { id: 'ds-rag-qa', name: 'rag-qa', version: 3, contentHash: 'a'.repeat(64) };

export interface RunScenario {
  tenantId: string;
  projectId?: string;
  runId?: string;
  dataset?: VersionRef;
  /** Epoch ms of the request; later events follow a second apart. */
  requestedAt?: number;
  labels?: Record<string, string>;
  /** Case indexes that fail; the others are evaluated. */
  cases?: number;
  failing?: number[];
  /** 'passed' | 'failed' ends with a completion and that verdict; the others end there. */
  outcome?: 'passed' | 'failed' | 'run-failed' | 'cancelled' | 'running';
}

/** The events of one run, in stream order, as the runs service would emit them. */
export function runHistory(scenario: RunScenario): EvalVaultEvent[] {
  const runId = scenario.runId ?? randomUUID();
  const { tenantId, projectId = 'default', dataset = RAG_QA, cases = 3, failing = [], outcome = 'passed' } = scenario;
  const start = scenario.requestedAt ?? Date.UTC(2026, 10, 26, 9, 0);
  let tick = 0;
  const event = <T extends EventType>(type: T, payload: EventOfType<T>['payload']): EventOfType<T> => ({
    ...testEvent(type, payload, { tenantId, projectId, streamId: `run-${runId}` }),
    occurredAt: start + 1000 * tick++,
  });
  const prompt: VersionRef = { id: 'pr-answer', name: 'answer', version: 2, contentHash: 'b'.repeat(64) };
  const configHash = 'c'.repeat(64);
  const events: EvalVaultEvent[] = [
    event('RunRequested', {
      runId,
      dataset,
      prompt,
      modelProfile: null,
      metrics: ['token_f1'],
      gateRules: ['mean(token_f1) >= 0.8'],
      evaluatorVersion: '0.1.0',
      configHash,
      labels: scenario.labels ?? { branch: 'main' },
      retryOf: null,
      inlineCases: null,
      rejectedRows: null,
      missingBaseline: 'fail',
      judge: null,
      policy: null,
      memory: null,
      plugins: null,
    }),
    event('RunStarted', { runId, totalCases: cases }),
  ];
  for (let caseIndex = 0; caseIndex < cases; caseIndex++) {
    events.push(
      failing.includes(caseIndex)
        ? event('CaseFailed', {
            runId,
            caseId: `case-${caseIndex}`,
            caseIndex,
            line: caseIndex + 1,
            errorCode: 'MISSING_FIELD',
            reason: 'no answer',
            usage: null,
          })
        : event('CaseEvaluated', {
            runId,
            caseId: `case-${caseIndex}`,
            caseIndex,
            durationMs: 10 + caseIndex,
            scores: [{ metric: 'token_f1', score: 0.5 + caseIndex / 100, explanation: `overlap of case ${caseIndex}` }],
            usage: { requests: 1, promptTokens: 100, completionTokens: 20, costUsd: 0.0125, cacheHits: 0 },
            moreCases: [],
          }),
    );
  }
  if (outcome === 'running') return events;
  if (outcome === 'run-failed')
    return [
      ...events,
      event('RunFailed', { runId, reason: 'budget', message: 'project budget exhausted', subject: null }),
    ];
  if (outcome === 'cancelled') return [...events, event('RunCancelled', { runId, reason: 'superseded' })];
  const evaluated = cases - failing.length;
  const mean = 0.5 + (start % 97) / 1000; // differs per run, so a baseline is recognisable by its aggregates
  events.push(
    event('RunCompleted', {
      runId,
      totalCases: cases,
      evaluatedCases: evaluated,
      failedCases: failing.length,
      durationMs: 1234,
      aggregates: [{ metric: 'token_f1', count: evaluated, mean, min: 0.5, max: 0.9, p10: 0.5, p50: 0.6, p90: 0.8 }],
      usage: {
        requests: evaluated,
        promptTokens: 100 * evaluated,
        completionTokens: 20 * evaluated,
        costUsd: 0.0125 * evaluated,
        cacheHits: 0,
      },
    }),
  );
  const verdict = {
    gateId: 'd'.repeat(64),
    baselineRunId: null,
    baselineSource: null,
    subject: { runId, dataset, prompt, modelProfile: null, configHash },
    rules: [
      {
        rule: 'mean(token_f1) >= 0.8',
        metric: 'token_f1',
        aggregate: 'mean',
        comparator: '>=',
        threshold: 0.8,
        actual: mean,
        passed: outcome === 'passed',
        baselineValue: null,
        noBaseline: false,
      },
    ],
  };
  events.push(outcome === 'passed' ? event('GatePassed', verdict) : event('GateFailed', verdict));
  return events;
}

export function runIdOf(events: readonly EvalVaultEvent[]): string {
  const first = events[0];
  if (first?.type !== 'RunRequested') throw new Error('a run history starts with RunRequested');
  return first.payload.runId;
}
