import type { Actor, EvalVaultEvent } from '@evalvault/contracts';
import { currentTraceparent } from '../observability/tracing.js';

/** Who and what a command runs for: everything an event's envelope needs besides ids and time. */
export interface CommandContext {
  tenantId: string;
  projectId: string;
  actor: Actor;
  correlationId: string;
  /** The event this command reacts to, if any. */
  causationId: string | null;
}

export interface EnvelopeSources {
  now: () => number;
  newId: () => string;
}

/** A domain event, as deciders produce it: no envelope yet. */
export interface DomainEvent {
  type: EvalVaultEvent['type'];
  payload: unknown;
}

/** Wraps a decider's events in the envelope every event carries. */
export function envelop(
  streamId: string,
  events: readonly DomainEvent[],
  context: CommandContext,
  sources: EnvelopeSources,
): EvalVaultEvent[] {
  const traceparent = currentTraceparent();
  return events.map(
    (event) =>
      ({
        eventId: sources.newId(),
        type: event.type,
        schemaVersion: 1,
        occurredAt: sources.now(),
        tenantId: context.tenantId,
        projectId: context.projectId,
        streamId,
        actor: context.actor,
        correlationId: context.correlationId,
        causationId: context.causationId,
        traceparent,
        payload: event.payload,
      }) as EvalVaultEvent,
  );
}

/** The context of a command caused by an event: same tenant, project, actor and correlation. */
export function contextCausedBy(event: EvalVaultEvent): CommandContext {
  return {
    tenantId: event.tenantId,
    projectId: event.projectId,
    actor: event.actor,
    correlationId: event.correlationId,
    causationId: event.eventId,
  };
}
