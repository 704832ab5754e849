import type { EventStore, EnvelopeSources } from '@evalvault/platform';
import { envelop } from '@evalvault/platform';
import type { Actor } from '@evalvault/contracts';
import type { SubjectKeys } from '../subjects/subject-keys.js';
import { pseudonymOf } from '../subjects/subject-cipher.js';

/** The project an event names when it concerns a whole tenant (a forgotten subject belongs to no project). */
export const TENANT_WIDE_PROJECT = '*';

/**
 * Streams of the audit service's own events: `forgotten-<pseudonym>` (never the subject in clear)
 * and `retention-<hashed tenant>` (AuditRetentionChanged).
 */
export const AUDIT_STREAM_PREFIXES = ['forgotten-', 'retention-'] as const;

export interface ForgetContext {
  tenantId: string;
  actor: Actor;
  correlationId: string;
}

/**
 * Forgetting a subject: SubjectForgotten is appended (the fact, for every service and for
 * the audit log itself), then the subject's key is destroyed at once rather than when the
 * event comes back over the bus. The order matters: no key is destroyed without its event.
 */
export class ForgetSubject {
  constructor(
    private readonly store: EventStore,
    private readonly keys: SubjectKeys,
    private readonly sources: EnvelopeSources,
  ) {}

  async forget(
    subject: string,
    reason: string | null,
    context: ForgetContext,
  ): Promise<{ pseudonym: string; eventId: string }> {
    const pseudonym = pseudonymOf((await this.keys.tenantKey(context.tenantId, true))!, subject);
    const streamId = `forgotten-${pseudonym}`;
    const [event] = envelop(
      streamId,
      [{ type: 'SubjectForgotten', payload: { subject, reason } }],
      {
        tenantId: context.tenantId,
        projectId: TENANT_WIDE_PROJECT,
        actor: context.actor,
        correlationId: context.correlationId,
        causationId: null,
      },
      this.sources,
    );
    await this.store.append(streamId, [event!], 'any');
    await this.keys.destroy(context.tenantId, pseudonym);
    return { pseudonym, eventId: event!.eventId };
  }
}
