import type { NotificationIntendedPayload } from '@evalvault/contracts';

/** A complete GateFailed intent with one failing and one passing rule; override what a test cares about. */
export function sampleIntent(overrides: Partial<NotificationIntendedPayload> = {}): NotificationIntendedPayload {
  return {
    notificationId: 'n-1',
    routeId: 'r-1',
    routeName: 'ops-jira',
    destinationType: 'jira',
    destinationJson: JSON.stringify({
      type: 'jira',
      baseUrl: 'https://acme.atlassian.net',
      projectKey: 'OPS',
      issueType: 'Bug',
      emailRef: null,
      tokenRef: 'env:EVALVAULT_SECRET_ACME__CHECKOUT__JIRA_TOKEN',
    }),
    severity: 'critical',
    action: 'trigger',
    dedupKey: 'evalvault-notification-n-1',
    triggerEventId: 'e-1',
    triggerType: 'GateFailed',
    triggerOccurredAt: Date.UTC(2026, 0, 5, 10, 0),
    runId: 'run-42',
    runUrl: 'https://evalvault.example.com/runs/run-42',
    gateId: 'g'.repeat(64),
    subject: {
      runId: 'run-42',
      configHash: 'c'.repeat(64),
      dataset: { id: 'ds-rag', name: 'rag-qa', version: 3, contentHash: 'a'.repeat(64) },
      prompt: { id: 'pr-answer', name: 'answer', version: 7, contentHash: 'b'.repeat(64) },
      modelProfile: { id: 'mp-gpt', name: 'gpt-prod', version: 2, contentHash: 'd'.repeat(64) },
    },
    rules: [
      {
        rule: 'mean(faithfulness) >= 0.8',
        metric: 'faithfulness',
        aggregate: 'mean',
        comparator: '>=',
        threshold: 0.8,
        actual: 0.5,
        passed: false,
        baselineValue: null,
        noBaseline: false,
      },
      {
        rule: 'mean(token_f1) >= 0.4',
        metric: 'token_f1',
        aggregate: 'mean',
        comparator: '>=',
        threshold: 0.4,
        actual: 0.61234,
        passed: true,
        baselineValue: null,
        noBaseline: false,
      },
    ],
    failureReason: null,
    failureMessage: null,
    ...overrides,
  };
}
