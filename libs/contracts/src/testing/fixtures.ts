import { randomUUID } from 'node:crypto';
import type { EventOfType, EventType, RunRequested } from '../index.js';

export interface EnvelopeOverrides {
  streamId?: string;
  tenantId?: string;
  projectId?: string;
  correlationId?: string;
}

/** Any event, with a fresh id and a plausible envelope; the payload is the caller's. */
export function testEvent<T extends EventType>(
  type: T,
  payload: EventOfType<T>['payload'],
  overrides: EnvelopeOverrides = {},
): EventOfType<T> {
  return {
    eventId: randomUUID(),
    type,
    schemaVersion: 1,
    occurredAt: Date.UTC(2026, 10, 26, 9, 30),
    tenantId: overrides.tenantId ?? `tenant-${randomUUID()}`,
    projectId: overrides.projectId ?? 'default',
    streamId: overrides.streamId ?? `test-${randomUUID()}`,
    actor: { subject: 'alice@example.com', authMethod: 'oidc', apiKeyId: null },
    correlationId: overrides.correlationId ?? randomUUID(),
    causationId: null,
    traceparent: null,
    payload,
  } as EventOfType<T>;
}

/** A RunStarted for a stream: the smallest event, handy for store and bus tests. */
export function runStarted(
  streamId: string,
  tenantId: string,
  totalCases: number | null = null,
): EventOfType<'RunStarted'> {
  return testEvent('RunStarted', { runId: streamId.replace(/^run-/, ''), totalCases }, { streamId, tenantId });
}

/** A complete RunRequested with fresh ids; override what a test cares about. */
export function sampleRunRequested(overrides: Partial<RunRequested> = {}): RunRequested {
  const runId = randomUUID();
  return {
    ...testEvent(
      'RunRequested',
      {
        runId,
        dataset: { id: 'ds-rag-qa', name: 'rag-qa', version: 3, contentHash: 'a'.repeat(64) },
        prompt: { id: 'pr-answer', name: 'answer', version: 2, contentHash: 'b'.repeat(64) },
        modelProfile: null,
        metrics: ['token_f1', 'faithfulness_lexical'],
        gateRules: ['mean(token_f1) >= 0.8'],
        evaluatorVersion: '0.1.0',
        configHash: 'c'.repeat(64),
        labels: { branch: 'main' },
        retryOf: null,
        inlineCases: [
          {
            id: 'case-1',
            question: 'What is RAG?',
            answer: 'Retrieval-augmented generation.',
            contexts: ['RAG means retrieval-augmented generation.'],
            groundTruth: 'Retrieval-augmented generation',
            metadataJson: null,
          },
        ],
        rejectedRows: null,
        missingBaseline: 'fail',
        judge: null,
        policy: null,
        memory: null,
        plugins: null,
      },
      { streamId: `run-${runId}` },
    ),
    traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    ...overrides,
  };
}
