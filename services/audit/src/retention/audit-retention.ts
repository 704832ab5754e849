import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Actor, AuditRetentionChangedPayload } from '@evalvault/contracts';
import { envelop, type EnvelopeSources, type EventStore } from '@evalvault/platform';
import type { RetentionChangeRequest, RetentionChangeView, RetentionView } from '@evalvault/service-apis';
import { TENANT_WIDE_PROJECT } from '../forget/forget-subject.js';
import { decideRetention, prefixToPurge, purgeCutoff, type RetentionCommand } from './retention.decider.js';
import { RetentionRepository } from './retention.repository.js';

export { RetentionRequestError } from './retention.decider.js';

/** The stream of one tenant's AuditRetentionChanged events (tenant ids are free text, so hashed in). */
export function retentionStreamId(tenantId: string): string {
  return `retention-${createHash('sha256').update(tenantId).digest('hex').slice(0, 32)}`;
}

export interface RetentionContext {
  actor: Actor;
  correlationId: string;
}

export interface AuditRetentionOptions {
  /** Where AuditRetentionChanged is appended (relayed like the service's other streams). */
  store: EventStore;
  /** The clock (when a change is asked for, when it takes effect) and event ids; injectable for tests. */
  sources: EnvelopeSources;
  /** How long a shortening waits before purges use it (AUDIT_RETENTION_SHORTENING_DELAY_HOURS). */
  shorteningDelayMs: number;
}

/**
 * Per-tenant retention. What a request does is the decider's (`retention.decider.ts`); the
 * policy rows, anchors and purges are the repository's. A change is recorded first
 * (AuditRetentionChanged on the tenant's retention stream, which reaches the audit log like any
 * event: who, why, from and to), then written to the policy row.
 *
 * A purge removes the longest chain prefix whose events are all older than the cutoff of the
 * retention in force, and moves the tenant's anchor to the last purged entry: its seq and hash
 * (where verification resumes), the running count of purged entries and the cutoff (which
 * events a replay may find without an entry).
 */
export class AuditRetention {
  private readonly repository: RetentionRepository;
  private readonly store: EventStore;
  private readonly sources: EnvelopeSources;
  private readonly shorteningDelayMs: number;
  /** Changes one at a time in this process: each holds a row lock while its event is appended. */
  private changing: Promise<unknown> = Promise.resolve();

  constructor(pool: pg.Pool, options: AuditRetentionOptions) {
    this.repository = new RetentionRepository(pool);
    this.store = options.store;
    this.sources = options.sources;
    this.shorteningDelayMs = options.shorteningDelayMs;
  }

  async get(tenantId: string): Promise<RetentionView> {
    await this.repository.settle(tenantId, this.sources.now());
    return this.view(tenantId);
  }

  /** Sets the retention wanted: at once when not shorter than the one in force, else scheduled. */
  set(tenantId: string, request: RetentionChangeRequest, context: RetentionContext): Promise<RetentionChangeView> {
    return this.change(tenantId, context, (now, eventId) => ({
      type: 'SetRetention',
      retentionDays: request.retentionDays,
      reason: request.reason,
      now,
      shorteningDelayMs: this.shorteningDelayMs,
      eventId,
    }));
  }

  /** Drops the scheduled shortening before it takes effect; NOT_FOUND when none waits. */
  cancelShortening(tenantId: string, reason: string | null, context: RetentionContext): Promise<RetentionChangeView> {
    return this.change(tenantId, context, () => ({ type: 'CancelShortening', reason }));
  }

  /** Purges every tenant that has a policy; what a periodic job calls. */
  async purgeAll(now: number): Promise<number> {
    let purged = 0;
    for (const tenantId of await this.repository.tenantsWithPolicy()) purged += await this.purge(tenantId, now);
    return purged;
  }

  /** Entries purged now for one tenant (0 without a policy or nothing old enough), under the retention in force. */
  purge(tenantId: string, now: number): Promise<number> {
    return this.repository.inTransaction(async (tx) => {
      await tx.settle(tenantId, now);
      const cutoff = purgeCutoff(await tx.retentionInForce(tenantId), now);
      if (cutoff === null) return 0;
      const chain = await tx.chainBounds(tenantId, cutoff);
      const through = chain && prefixToPurge(chain);
      return through ? tx.purgeThrough(tenantId, through, cutoff) : 0;
    });
  }

  /**
   * One change at a time per tenant: the policy row is locked (a shortening already due moved in
   * force), the decision is recorded as an event and only then written to the row.
   */
  private async change(
    tenantId: string,
    context: RetentionContext,
    command: (now: number, eventId: string) => RetentionCommand,
  ): Promise<RetentionChangeView> {
    const run = this.changing.then(() =>
      this.repository.inTransaction(async (tx) => {
        const now = this.sources.now();
        const eventId = this.sources.newId();
        const decision = decideRetention(command(now, eventId), await tx.lockPolicy(tenantId, now));
        if (!decision) return null;
        await this.record(tenantId, eventId, decision.payload, context);
        await tx.savePolicy(tenantId, decision.policy);
        return decision.change;
      }),
    );
    this.changing = run.catch(() => undefined);
    const change = await run;
    return { ...(await this.view(tenantId)), change };
  }

  private async record(
    tenantId: string,
    eventId: string,
    payload: AuditRetentionChangedPayload,
    context: RetentionContext,
  ): Promise<void> {
    const streamId = retentionStreamId(tenantId);
    const events = envelop(
      streamId,
      [{ type: 'AuditRetentionChanged', payload }],
      {
        tenantId,
        projectId: TENANT_WIDE_PROJECT,
        actor: context.actor,
        correlationId: context.correlationId,
        causationId: null,
      },
      { now: () => this.sources.now(), newId: () => eventId },
    );
    await this.store.append(streamId, events, 'any');
  }

  private async view(tenantId: string): Promise<RetentionView> {
    const policy = await this.repository.policy(tenantId);
    const pending = policy?.pending ?? null;
    return {
      retentionDays: policy?.retentionDays ?? null,
      pending: pending && {
        retentionDays: pending.retentionDays,
        reason: pending.reason,
        requestedAt: new Date(pending.requestedAt).toISOString(),
        effectiveAt: new Date(pending.effectiveAt).toISOString(),
        eventId: pending.eventId,
      },
      anchor: await this.repository.anchor(tenantId),
    };
  }
}
