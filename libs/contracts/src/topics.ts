import type { EventType } from './generated/events.js';

/**
 * Kafka topics of EvalVault and which event types travel on each. The message key is
 * always the event's streamId, so all events of one stream (one run, one dataset…)
 * stay in order on one partition.
 */
export interface TopicSpec {
  name: string;
  partitions: number;
  retentionMs: number;
  description: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export const TOPICS = {
  runs: {
    name: 'evalvault.runs.v1',
    partitions: 6,
    retentionMs: 30 * DAY_MS,
    description: 'Run lifecycle and per-case results.',
  },
  work: {
    name: 'evalvault.runs.work.v1',
    partitions: 6,
    retentionMs: 7 * DAY_MS,
    description: 'Batches of cases for the runs workers (one consumer group shares them).',
  },
  gates: {
    name: 'evalvault.gates.v1',
    partitions: 3,
    retentionMs: 90 * DAY_MS,
    description: 'Gate verdicts of completed runs.',
  },
  registry: {
    name: 'evalvault.registry.v1',
    partitions: 3,
    retentionMs: 90 * DAY_MS,
    description: 'Dataset, prompt and model-profile versions, approvals and rejections; project policies.',
  },
  memory: {
    name: 'evalvault.memory.v1',
    partitions: 3,
    retentionMs: 90 * DAY_MS,
    description: 'Domain Memory: facts, behaviours, learnings, memory policies, deletions and maintenance.',
  },
  notifications: {
    name: 'evalvault.notifications.v1',
    partitions: 3,
    retentionMs: 30 * DAY_MS,
    description: 'Tickets and notification outcomes.',
  },
  access: {
    name: 'evalvault.access.v1',
    partitions: 3,
    retentionMs: 90 * DAY_MS,
    description: 'API keys, role grants, forgotten subjects, audit retention changes and denied accesses.',
  },
} as const satisfies Record<string, TopicSpec>;

export type TopicKey = keyof typeof TOPICS;
export type TopicName = (typeof TOPICS)[TopicKey]['name'];

export const EVENT_TOPIC: Record<EventType, TopicKey> = {
  RunRequested: 'runs',
  RunStarted: 'runs',
  CaseEvaluated: 'runs',
  CaseFailed: 'runs',
  RunCompleted: 'runs',
  RunFailed: 'runs',
  RunCancelled: 'runs',
  ScheduleCreated: 'runs',
  SchedulePaused: 'runs',
  ScheduleResumed: 'runs',
  ScheduleDeleted: 'runs',
  ScheduledRunStarted: 'runs',
  DriftDetected: 'runs',
  DriftResolved: 'runs',
  CaseBatchScheduled: 'work',
  GatePassed: 'gates',
  GateFailed: 'gates',
  DatasetVersionRegistered: 'registry',
  PromptVersionRegistered: 'registry',
  ModelProfileVersionRegistered: 'registry',
  RegistryVersionApproved: 'registry',
  RegistryVersionRejected: 'registry',
  ProjectPolicyChanged: 'registry',
  MemoryEntryRecorded: 'memory',
  MemoryEntryVerified: 'memory',
  MemoryEntryForgotten: 'memory',
  FactProposed: 'memory',
  FactSupported: 'memory',
  FactVerified: 'memory',
  FactRejected: 'memory',
  FactConflictFlagged: 'memory',
  FactContradicted: 'memory',
  FactDecayed: 'memory',
  FactsConsolidated: 'memory',
  FactForgotten: 'memory',
  BehaviourRecorded: 'memory',
  BehaviourObserved: 'memory',
  BehaviourForgotten: 'memory',
  LearningUpdated: 'memory',
  MemoryPolicyChanged: 'memory',
  MemoryDeletionRequested: 'memory',
  EntriesForgotten: 'memory',
  MemoryMaintenanceCompleted: 'memory',
  NotificationDelivered: 'notifications',
  NotificationFailed: 'notifications',
  TicketCreated: 'notifications',
  NotificationRouteCreated: 'notifications',
  NotificationRouteRemoved: 'notifications',
  NotificationIntended: 'notifications',
  NotificationAttemptFailed: 'notifications',
  IncidentResolved: 'notifications',
  ApiKeyIssued: 'access',
  ApiKeyRevoked: 'access',
  ProjectRoleGranted: 'access',
  ProjectRoleRevoked: 'access',
  SubjectForgotten: 'access',
  AuditRetentionChanged: 'access',
  AccessDenied: 'access',
};

export function topicOf(eventType: EventType): TopicName {
  return TOPICS[EVENT_TOPIC[eventType]].name;
}

/** Failed messages go to `<topic>.dlq` with the error and the original headers. */
export function deadLetterTopic(topic: string): string {
  return `${topic}.dlq`;
}

export const DEAD_LETTER_TOPIC_SPEC = { partitions: 1, retentionMs: 30 * DAY_MS } as const;

/** Every topic the platform declares, dead-letter topics included, for the admin client to create. */
export function declaredTopics(): TopicSpec[] {
  return Object.values(TOPICS).flatMap((topic) => [
    topic,
    { name: deadLetterTopic(topic.name), ...DEAD_LETTER_TOPIC_SPEC, description: `Dead letters of ${topic.name}.` },
  ]);
}
