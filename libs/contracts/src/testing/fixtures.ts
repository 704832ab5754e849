import { randomUUID } from 'node:crypto';
import type { RunRequested } from '../index.js';

/** A complete RunRequested with fresh ids; override what a test cares about. */
export function sampleRunRequested(overrides: Partial<RunRequested> = {}): RunRequested {
  const runId = randomUUID();
  return {
    eventId: randomUUID(),
    type: 'RunRequested',
    schemaVersion: 1,
    occurredAt: Date.UTC(2026, 10, 26, 9, 30),
    tenantId: `tenant-${randomUUID()}`,
    projectId: 'default',
    streamId: `run-${runId}`,
    actor: { subject: 'alice@example.com', authMethod: 'oidc', apiKeyId: null },
    correlationId: randomUUID(),
    causationId: null,
    traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    payload: {
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
        { id: 'case-1', question: 'What is RAG?', answer: 'Retrieval-augmented generation.', contexts: ['RAG means retrieval-augmented generation.'], groundTruth: 'Retrieval-augmented generation', metadataJson: null },
      ],
    },
    ...overrides,
  };
}
