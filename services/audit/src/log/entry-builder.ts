import type { EvalVaultEvent } from '@evalvault/contracts';
import type { SubjectSealer } from '../subjects/sealers.js';
import { sealContext } from '../subjects/subject-cipher.js';
import type { CanonicalEntry } from './canonical.js';
import { factsOf } from './event-facts.js';

/**
 * The audit entry of an event: its envelope, its facts, and its subjects sealed. The
 * subject of a SubjectForgotten keeps only its pseudonym: its key is destroyed as the
 * entry is written, so a ciphertext would be unreadable (and unrebuildable) at once.
 */
export async function buildEntry(event: EvalVaultEvent, sealer: SubjectSealer): Promise<CanonicalEntry> {
  const { target, ...facts } = factsOf(event);
  const actor = await sealer.sealSubject(
    event.tenantId,
    event.actor.subject,
    sealContext(event.tenantId, event.eventId, 'actor'),
  );
  const sealedTarget =
    target === null
      ? null
      : event.type === 'SubjectForgotten'
        ? { pseudonym: await sealer.pseudonym(event.tenantId, target), sealed: null }
        : await sealer.sealSubject(event.tenantId, target, sealContext(event.tenantId, event.eventId, 'target'));
  return {
    v: 1,
    eventId: event.eventId,
    action: event.type,
    occurredAt: event.occurredAt,
    tenantId: event.tenantId,
    projectId: event.projectId,
    streamId: event.streamId,
    actor: { ...actor, authMethod: event.actor.authMethod, apiKeyId: event.actor.apiKeyId },
    target: sealedTarget,
    ...facts,
    correlationId: event.correlationId,
    causationId: event.causationId,
  };
}
