import { evaluatedCases, type EvalVaultEvent, type VersionRef } from '@evalvault/contracts';
import type { AuditResource } from '@evalvault/service-apis';

export type Detail = string | number | boolean | null;

/**
 * What the audit log records of an event beyond its envelope: the resources it concerns
 * (with their versions), its outcome, a few facts, and the person it is about, if any
 * (still plaintext here; the entry builder encrypts it). Pure: a function of the event only,
 * so a replay from the store rebuilds exactly what the consumer recorded.
 */
export interface EventFacts {
  resources: AuditResource[];
  outcome: 'success' | 'failure' | 'denied';
  details: Record<string, Detail>;
  /** Subject-identifying string the event is about (ProjectRoleGranted/Revoked, SubjectForgotten). */
  target: string | null;
}

const resource = (
  type: string,
  id: string,
  version: number | null = null,
  contentHash: string | null = null,
): AuditResource => ({ type, id, version, contentHash });
const pinned = (type: string, ref: VersionRef | null): AuditResource[] =>
  ref ? [resource(type, ref.id, ref.version, ref.contentHash)] : [];
const run = (runId: string): AuditResource => resource('run', runId);
const memoryFact = (factId: string): AuditResource => resource('memory-fact', factId);
const memoryBehaviour = (behaviourId: string): AuditResource => resource('memory-behaviour', behaviourId);
/** The version inside a MemoryPolicyChanged's policy JSON, or null if it has none. */
function memoryPolicyVersion(policyJson: string): number | null {
  try {
    const parsed = JSON.parse(policyJson) as { version?: unknown };
    return typeof parsed.version === 'number' ? parsed.version : null;
  } catch {
    return null;
  }
}
/** The runs a memory entry's sources name (a run, or a case's run), once each. */
const sourceRuns = (sources: { kind: string; id: string; runId: string | null }[]): AuditResource[] =>
  [
    ...new Set(sources.map((source) => (source.kind === 'run' ? source.id : source.runId)).filter((id) => id !== null)),
  ].map(run);
const facts = (
  resources: AuditResource[],
  details: Record<string, Detail> = {},
  outcome: EventFacts['outcome'] = 'success',
  target: string | null = null,
): EventFacts => ({ resources, outcome, details, target });

/** Registry kinds as resource types: one vocabulary for filtering (`dataset:…`, `prompt:…`, `model_profile:…`). */
const REGISTRY_KIND: Record<string, string> = {
  dataset: 'dataset',
  prompt: 'prompt',
  model_profile: 'model_profile',
  modelprofile: 'model_profile',
};

export function factsOf(event: EvalVaultEvent): EventFacts {
  switch (event.type) {
    case 'RunRequested': {
      const p = event.payload;
      return facts(
        [
          run(p.runId),
          ...pinned('dataset', p.dataset),
          ...pinned('prompt', p.prompt),
          ...pinned('model_profile', p.modelProfile),
        ],
        {
          configHash: p.configHash,
          evaluatorVersion: p.evaluatorVersion,
          metrics: p.metrics.join(','),
          retryOf: p.retryOf,
          inlineCases: p.inlineCases?.length ?? null,
          // Only when set: entries of runs from before policies keep the facts they were chained with.
          ...(p.policy ? { policyRevision: p.policy.revision } : {}),
        },
      );
    }
    case 'RunStarted':
      return facts([run(event.payload.runId)], { totalCases: event.payload.totalCases });
    case 'CaseBatchScheduled':
      return facts([run(event.payload.runId)], { batchNo: event.payload.batchNo, cases: event.payload.cases.length });
    case 'CaseEvaluated': {
      // One entry per scored batch (version 2), naming every case so a search by case still finds it.
      const cases = evaluatedCases(event.payload);
      return facts([run(event.payload.runId), ...cases.map((c) => resource('case', String(c.caseIndex)))], {
        caseId: event.payload.caseId,
        cases: cases.length,
      });
    }
    case 'CaseFailed':
      return facts(
        [run(event.payload.runId), resource('case', String(event.payload.caseIndex))],
        { caseId: event.payload.caseId, errorCode: event.payload.errorCode },
        'failure',
      );
    case 'RunCompleted': {
      const p = event.payload;
      return facts([run(p.runId)], {
        totalCases: p.totalCases,
        evaluatedCases: p.evaluatedCases,
        failedCases: p.failedCases,
        costUsd: p.usage?.costUsd ?? null,
      });
    }
    case 'RunFailed':
      return facts([run(event.payload.runId)], { reason: event.payload.reason }, 'failure');
    case 'RunCancelled':
      return facts([run(event.payload.runId)], { reason: event.payload.reason });
    case 'GatePassed':
    case 'GateFailed': {
      const { gateId, subject, baselineRunId } = event.payload;
      return facts(
        [
          resource('gate', gateId),
          run(subject.runId),
          ...pinned('dataset', subject.dataset),
          ...pinned('prompt', subject.prompt),
          ...pinned('model_profile', subject.modelProfile),
        ],
        {
          configHash: subject.configHash,
          baselineRunId,
          failedRules: event.payload.rules.filter((rule) => !rule.passed).length,
        },
        event.type === 'GatePassed' ? 'success' : 'failure',
      );
    }
    case 'DatasetVersionRegistered': {
      const p = event.payload;
      return facts([resource('dataset', p.datasetId, p.version, p.contentHash)], {
        name: p.name,
        format: p.format,
        caseCount: p.caseCount,
      });
    }
    case 'PromptVersionRegistered':
      return facts([resource('prompt', event.payload.promptId, event.payload.version, event.payload.contentHash)], {
        name: event.payload.name,
      });
    case 'ModelProfileVersionRegistered': {
      const p = event.payload;
      return facts([resource('model_profile', p.modelProfileId, p.version, p.contentHash)], {
        name: p.name,
        provider: p.provider,
        model: p.model,
      });
    }
    case 'RegistryVersionApproved': {
      const p = event.payload;
      return facts([resource(REGISTRY_KIND[p.kind] ?? p.kind, p.resourceId, p.version)], { kind: p.kind });
    }
    case 'RegistryVersionRejected': {
      const p = event.payload;
      return facts([resource(REGISTRY_KIND[p.kind] ?? p.kind, p.resourceId, p.version)], {
        kind: p.kind,
        reason: p.reason,
      });
    }
    case 'MemoryEntryRecorded':
      return facts(
        [
          resource('memory-entry', event.payload.entryId),
          ...(event.payload.sourceRunId ? [run(event.payload.sourceRunId)] : []),
        ],
        { kind: event.payload.kind },
      );
    case 'MemoryEntryVerified':
      return facts([resource('memory-entry', event.payload.entryId)]);
    case 'MemoryEntryForgotten':
      return facts([resource('memory-entry', event.payload.entryId)], { reason: event.payload.reason });
    // Domain Memory: ids and numbers only; the text of facts and behaviours is sealed and never audited.
    case 'FactProposed': {
      const p = event.payload;
      return facts([memoryFact(p.factId), ...sourceRuns(p.sources)], {
        kind: p.kind,
        domain: p.domain,
        language: p.language,
        verificationScore: p.verificationScore,
      });
    }
    case 'FactSupported':
      return facts([memoryFact(event.payload.factId), ...sourceRuns(event.payload.sources)], {
        score: event.payload.score,
      });
    case 'FactVerified': {
      const p = event.payload;
      return facts([memoryFact(p.factId)], {
        reason: p.reason,
        verificationScore: p.verificationScore,
        verificationCount: p.verificationCount,
      });
    }
    case 'FactRejected':
      return facts([memoryFact(event.payload.factId)], { reason: event.payload.reason });
    case 'FactConflictFlagged':
      return facts([memoryFact(event.payload.factId), memoryFact(event.payload.conflictingFactId)]);
    case 'FactContradicted':
      return facts([memoryFact(event.payload.factId), memoryFact(event.payload.keptFactId)], {
        reason: event.payload.reason,
      });
    case 'FactDecayed':
      return facts([memoryFact(event.payload.factId)], {
        from: event.payload.from,
        to: event.payload.to,
        periods: event.payload.periods,
      });
    case 'FactsConsolidated':
      return facts([memoryFact(event.payload.keptFactId), ...event.payload.mergedFactIds.map(memoryFact)], {
        merged: event.payload.mergedFactIds.length,
      });
    case 'FactForgotten':
      return facts([memoryFact(event.payload.factId)], {
        reason: event.payload.reason,
        requestId: event.payload.requestId,
      });
    case 'BehaviourRecorded': {
      const p = event.payload;
      return facts([memoryBehaviour(p.behaviourId), ...sourceRuns(p.sources)], {
        successRate: p.successRate,
        useCount: p.useCount,
      });
    }
    case 'BehaviourObserved':
      return facts([memoryBehaviour(event.payload.behaviourId), ...sourceRuns([event.payload.source])], {
        succeeded: event.payload.succeeded,
      });
    case 'BehaviourForgotten':
      return facts([memoryBehaviour(event.payload.behaviourId)], {
        reason: event.payload.reason,
        requestId: event.payload.requestId,
      });
    case 'LearningUpdated': {
      const p = event.payload;
      return facts([resource('memory-learning', p.learningId), run(p.runId)], {
        datasetKey: p.datasetKey,
        metric: p.metric,
        baselineCount: p.baseline.count,
      });
    }
    case 'MemoryPolicyChanged': {
      const version = memoryPolicyVersion(event.payload.policyJson);
      return facts([resource('memory-policy', event.projectId, version)], { version });
    }
    case 'MemoryDeletionRequested': {
      const p = event.payload;
      return facts([resource('memory-deletion', p.requestId)], {
        target: p.target,
        targetHash: p.targetHash,
        matched: p.matched,
      });
    }
    case 'EntriesForgotten': {
      const p = event.payload;
      return facts(
        p.entries.map((entry) => resource(entry.kind === 'behaviour' ? 'memory-behaviour' : 'memory-fact', entry.id)),
        { reason: p.reason, requestId: p.requestId, entries: p.entries.length },
      );
    }
    case 'MemoryMaintenanceCompleted': {
      const p = event.payload;
      return facts([resource('memory-maintenance', event.projectId)], {
        decayed: p.decayed,
        forgotten: p.forgotten,
        consolidated: p.consolidated,
        conflictsResolved: p.conflictsResolved,
        policyVersion: p.policyVersion,
      });
    }
    case 'NotificationDelivered':
    case 'NotificationFailed':
    case 'TicketCreated': {
      const p = event.payload;
      return facts(
        [resource('notification', p.notificationId), resource('route', p.routeId)],
        event.type === 'TicketCreated'
          ? { system: event.payload.system, ticketKey: event.payload.ticketKey, triggerEventId: p.triggerEventId }
          : {
              destinationType: event.payload.destinationType,
              attempts: event.payload.attempts,
              triggerEventId: p.triggerEventId,
            },
        event.type === 'NotificationFailed' ? 'failure' : 'success',
      );
    }
    case 'NotificationIntended': {
      const p = event.payload;
      return facts(
        [
          resource('notification', p.notificationId),
          resource('route', p.routeId),
          run(p.runId),
          ...(p.gateId ? [resource('gate', p.gateId)] : []),
        ],
        {
          destinationType: p.destinationType,
          severity: p.severity,
          action: p.action,
          triggerEventId: p.triggerEventId,
          triggerType: p.triggerType,
        },
      );
    }
    case 'NotificationAttemptFailed': {
      const p = event.payload;
      return facts(
        [resource('notification', p.notificationId)],
        { attempt: p.attempt, statusCode: p.statusCode },
        'failure',
      );
    }
    case 'IncidentResolved': {
      const p = event.payload;
      return facts([resource('notification', p.notificationId), resource('route', p.routeId)], {
        system: p.system,
        triggerEventId: p.triggerEventId,
      });
    }
    case 'NotificationRouteCreated': {
      const p = event.payload;
      return facts([resource('route', p.routeId)], {
        name: p.name,
        on: p.on.join(','),
        severity: p.severity,
        destinationType: p.destinationType,
      });
    }
    case 'NotificationRouteRemoved':
      return facts([resource('route', event.payload.routeId)], { name: event.payload.name });
    case 'ApiKeyIssued': {
      const p = event.payload;
      // The tenant roles (audit roles) an admin granted with the key. Bootstrap keys' own, from
      // before audit roles were granted explicitly, are left out: their entries were written without.
      const granted = p.tenantRoles.length > 0 && event.actor.subject !== 'system:bootstrap';
      return facts([resource('api-key', p.apiKeyId)], {
        role: p.role,
        expiresAt: p.expiresAt,
        ...(granted ? { tenantRoles: p.tenantRoles.join(',') } : {}),
      });
    }
    case 'ApiKeyRevoked':
      return facts([resource('api-key', event.payload.apiKeyId)], { reason: event.payload.reason });
    case 'ProjectRoleGranted':
    case 'ProjectRoleRevoked':
      return facts([], { role: event.payload.role }, 'success', event.payload.subject);
    case 'SubjectForgotten':
      return facts([], { reason: event.payload.reason }, 'success', event.payload.subject);
    case 'AuditRetentionChanged': {
      const p = event.payload;
      return facts([resource('audit-retention', event.tenantId)], {
        change: p.change,
        fromDays: p.fromDays,
        toDays: p.toDays,
        reason: p.reason,
        effectiveAt: p.effectiveAt === null ? null : new Date(p.effectiveAt).toISOString(),
      });
    }
    case 'ProjectPolicyChanged': {
      const { policy, changed, reason } = event.payload;
      const list = (entries: string[] | null): string | null => (entries === null ? null : entries.join(','));
      return facts([resource('project-policy', event.projectId, policy.revision)], {
        changed: changed.join(','),
        allowedModels: list(policy.allowedModels),
        allowedMetrics: list(policy.allowedMetrics),
        dailyCapUsd: policy.dailyCapUsd,
        monthlyCapUsd: policy.monthlyCapUsd,
        approvedVersionsOnly: policy.approvedVersionsOnly,
        reason,
      });
    }
    case 'ScheduleCreated': {
      const p = event.payload;
      return facts([resource('schedule', p.scheduleId), resource('dataset', p.datasetId, p.datasetVersion)], {
        name: p.name,
        cron: p.cron,
        timeZone: p.timeZone,
        metrics: p.metrics.join(','),
      });
    }
    case 'SchedulePaused':
      return facts([resource('schedule', event.payload.scheduleId)], { reason: event.payload.reason });
    case 'ScheduleResumed':
    case 'ScheduleDeleted':
      return facts([resource('schedule', event.payload.scheduleId)]);
    case 'ScheduledRunStarted': {
      const p = event.payload;
      return facts([resource('schedule', p.scheduleId), run(p.runId), ...pinned('dataset', p.dataset)], {
        slot: new Date(p.slot).toISOString(),
        skippedSlots: p.skippedSlots,
      });
    }
    case 'DriftDetected': {
      const p = event.payload;
      return facts(
        [resource('schedule', p.scheduleId), run(p.runId)],
        { metric: p.metric, current: p.current, baseline: p.baseline, drop: p.drop, threshold: p.threshold },
        'failure',
      );
    }
    case 'DriftResolved': {
      const p = event.payload;
      return facts([resource('schedule', p.scheduleId), run(p.runId)], {
        metric: p.metric,
        current: p.current,
        baseline: p.baseline,
        detectedByRunId: p.detectedByRunId,
      });
    }
    case 'AccessDenied': {
      const p = event.payload;
      return facts(
        p.resourceType && p.resourceId ? [resource(p.resourceType, p.resourceId)] : [],
        { method: p.method, route: p.route, reason: p.reason, requiredRole: p.requiredRole, status: p.status },
        'denied',
      );
    }
    default: {
      const unhandled: never = event;
      throw new Error(`no audit facts for event type ${(unhandled as EvalVaultEvent).type}`);
    }
  }
}
