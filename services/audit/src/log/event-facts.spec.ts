import { caseEvaluatedPayload } from '@evalvault/contracts';
import { sampleRunRequested, testEvent } from '@evalvault/contracts/testing';
import { factsOf } from './event-facts.js';

describe('audit facts of an event', () => {
  it('names a run request’s dataset, prompt and model profile with their versions', () => {
    const event = sampleRunRequested();
    const { resources, outcome } = factsOf(event);
    expect(outcome).toBe('success');
    expect(resources).toEqual([
      { type: 'run', id: event.payload.runId, version: null, contentHash: null },
      { type: 'dataset', id: 'ds-rag-qa', version: 3, contentHash: 'a'.repeat(64) },
      { type: 'prompt', id: 'pr-answer', version: 2, contentHash: 'b'.repeat(64) },
    ]);
  });

  it('names every case of a batched CaseEvaluated (version 2), so a search by case finds its entry', () => {
    const scored = (caseIndex: number) => ({
      caseId: `c${caseIndex}`,
      caseIndex,
      scores: [],
      durationMs: 1,
      usage: null,
    });
    const event = testEvent('CaseEvaluated', caseEvaluatedPayload('r-9', [scored(4), scored(5), scored(6)]));
    expect(factsOf(event)).toMatchObject({
      resources: [
        { type: 'run', id: 'r-9' },
        { type: 'case', id: '4' },
        { type: 'case', id: '5' },
        { type: 'case', id: '6' },
      ],
      details: { caseId: 'c4', cases: 3 },
    });
  });

  it('records a denied access with its route, reason and status', () => {
    const event = testEvent('AccessDenied', {
      method: 'GET',
      route: '/v1/projects/{project}/runs/{runId}',
      resourceType: 'run',
      resourceId: 'r-1',
      reason: 'cross-tenant',
      requiredRole: null,
      status: 404,
    });
    expect(factsOf(event)).toEqual({
      resources: [{ type: 'run', id: 'r-1', version: null, contentHash: null }],
      outcome: 'denied',
      details: {
        method: 'GET',
        route: '/v1/projects/{project}/runs/{runId}',
        reason: 'cross-tenant',
        requiredRole: null,
        status: 404,
      },
      target: null,
    });
  });

  it('keeps the person an access event is about apart, for sealing', () => {
    expect(factsOf(testEvent('SubjectForgotten', { subject: 'bob@example.com', reason: 'request' })).target).toBe(
      'bob@example.com',
    );
    expect(factsOf(testEvent('ProjectRoleGranted', { subject: 'carol', role: 'editor' }))).toMatchObject({
      target: 'carol',
      details: { role: 'editor' },
    });
  });

  it('shows the tenant roles granted with an API key, as entries written before them still read', () => {
    const key = {
      apiKeyId: '0123456789ab',
      name: 'compliance',
      role: 'viewer',
      secretHash: 'h',
      prefix: 'evk_0123456789ab',
      expiresAt: null,
    };
    const granted = testEvent('ApiKeyIssued', { ...key, tenantRoles: ['auditor', 'audit-admin'] });
    expect(factsOf(granted).details).toEqual({ role: 'viewer', expiresAt: null, tenantRoles: 'auditor,audit-admin' });
    expect(factsOf(testEvent('ApiKeyIssued', { ...key, tenantRoles: [] })).details).toEqual({
      role: 'viewer',
      expiresAt: null,
    });
    const bootstrap = { ...testEvent('ApiKeyIssued', { ...key, tenantRoles: ['auditor'] }) };
    bootstrap.actor = { subject: 'system:bootstrap', authMethod: 'system', apiKeyId: null };
    expect(factsOf(bootstrap).details).toEqual({ role: 'viewer', expiresAt: null });
  });

  it('records a rejected registry version with its kind and reason', () => {
    const event = testEvent('RegistryVersionRejected', {
      kind: 'model_profile',
      resourceId: 'mp-1',
      version: 4,
      reason: 'costs too much',
    });
    expect(factsOf(event)).toEqual({
      resources: [{ type: 'model_profile', id: 'mp-1', version: 4, contentHash: null }],
      outcome: 'success',
      details: { kind: 'model_profile', reason: 'costs too much' },
      target: null,
    });
  });

  it('records who changed the audit retention, from what to what, why and from when', () => {
    const event = testEvent('AuditRetentionChanged', {
      change: 'shortening-scheduled',
      fromDays: 400,
      toDays: 30,
      reason: 'storage costs',
      effectiveAt: Date.UTC(2026, 11, 1, 12),
    });
    expect(factsOf(event)).toEqual({
      resources: [{ type: 'audit-retention', id: event.tenantId, version: null, contentHash: null }],
      outcome: 'success',
      details: {
        change: 'shortening-scheduled',
        fromDays: 400,
        toDays: 30,
        reason: 'storage costs',
        effectiveAt: '2026-12-01T12:00:00.000Z',
      },
      target: null,
    });
  });

  it('records Domain Memory events by ids, scores and counts, never their text', () => {
    const factId = 'f'.repeat(32);
    const proposed = testEvent('FactProposed', {
      factId,
      keyId: factId,
      sealed: Buffer.from('ciphertext'),
      domain: 'geo',
      language: 'en',
      kind: 'inferred',
      verificationScore: 0.9,
      sources: [
        { kind: 'run', id: 'r-1', runId: null },
        { kind: 'case', id: 'c-1', runId: 'r-1' },
      ],
    });
    expect(factsOf(proposed)).toEqual({
      resources: [
        { type: 'memory-fact', id: factId, version: null, contentHash: null },
        { type: 'run', id: 'r-1', version: null, contentHash: null },
      ],
      outcome: 'success',
      details: { kind: 'inferred', domain: 'geo', language: 'en', verificationScore: 0.9 },
      target: null,
    });
    const verified = testEvent('FactVerified', {
      factId,
      reason: 'checked',
      verificationScore: 1,
      verificationCount: 2,
    });
    expect(factsOf(verified).details).toEqual({ reason: 'checked', verificationScore: 1, verificationCount: 2 });
    const deletion = testEvent('MemoryDeletionRequested', {
      requestId: 'q-1',
      target: 'subject',
      targetHash: 'e'.repeat(64),
      matched: 2,
    });
    expect(factsOf(deletion)).toMatchObject({
      resources: [{ type: 'memory-deletion', id: 'q-1' }],
      details: { target: 'subject', targetHash: 'e'.repeat(64), matched: 2 },
    });
    const policy = testEvent('MemoryPolicyChanged', { policyJson: JSON.stringify({ version: 3 }) });
    expect(factsOf(policy).resources[0]).toMatchObject({ type: 'memory-policy', version: 3 });
    const forgotten = testEvent('EntriesForgotten', {
      entries: [
        { kind: 'fact', id: factId },
        { kind: 'behaviour', id: 'b-1' },
      ],
      reason: 'deletion_request',
      requestId: 'q-1',
    });
    expect(factsOf(forgotten).resources.map((r) => `${r.type}:${r.id}`)).toEqual([
      `memory-fact:${factId}`,
      'memory-behaviour:b-1',
    ]);
  });

  it('marks failures as failures', () => {
    expect(
      factsOf(testEvent('RunFailed', { runId: 'r', reason: 'budget', message: 'over budget', subject: null })).outcome,
    ).toBe('failure');
  });
});
