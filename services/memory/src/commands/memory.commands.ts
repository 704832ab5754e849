import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import {
  MEMORY_EXPORT_FORMAT,
  type MemoryDeletionRequest,
  type MemoryDeletionResult,
  type MemoryExport,
  type MemoryImportRequest,
  type MemoryImportResult,
  type MemoryMaintenanceResult,
  type MemoryPolicyView,
  type MemoryTriple,
  type SetMemoryPolicyRequest,
} from '@evalvault/service-apis';
import type { EvalVaultEvent, MemoryEntryRef, MemorySource } from '@evalvault/contracts';
import {
  EventSourcedRepository,
  type CommandContext,
  type EnvelopeSources,
  type EventStore,
  type Scope,
} from '@evalvault/platform';
import { invalidInput, notFound } from '../api/memory-errors.js';
import type { ContentKeys } from '../keys/content-keys.js';
import { MEMORY_SCHEMA as S } from '../migrations/memory.migrations.js';
import type { MemoryMetrics } from '../memory-metrics.js';
import type { MemoryProjection } from '../projection/memory.projection.js';
import { isEntryId, type MemoryQueries } from '../projection/memory.queries.js';
import {
  BEHAVIOUR_DECIDER,
  DEFAULT_MEMORY_POLICY,
  DELETION_DECIDER,
  deletionStreamId,
  FACT_DECIDER,
  factIdOf,
  factStreamId,
  id32,
  LEARNING_DECIDER,
  MAINTENANCE_DECIDER,
  maintenanceStreamId,
  MEMORY_POLICY_DECIDER,
  normaliseText as normalise,
  parseMemoryPolicy,
  planMaintenance,
  policyStreamId,
  behaviourStreamId,
  targetHashOf,
  type BehaviourCommand,
  type FactCommand,
  type FactForgetReason,
  behaviourForgettingPlan,
} from '../domain/index.js';
import { behaviourSnapshots, factSnapshots } from './maintenance-snapshots.js';
import { MAX_TEXT, validImport } from './memory-import.js';
import type { MemoryCommands } from './memory-commands.port.js';

/** A fact to propose: its text (sealed here, under its own key) and what the event says besides. */
export interface FactProposal {
  subject: string;
  predicate: string;
  object: string;
  domain: string;
  language: string;
  kind: 'inferred' | 'verified';
  score: number;
  sources: MemorySource[];
}

/**
 * Domain Memory's write side: every change is a decided event appended to its stream with the
 * revision it was decided on (EventSourcedRepository), then applied to the read model at once
 * (read-your-writes; the bus's later copy is a no-op through the inbox).
 */
export class MemoryWriteSide implements MemoryCommands {
  readonly facts;
  private readonly behaviours;
  readonly learnings;
  private readonly policies;
  private readonly deletions;
  private readonly maintenance;

  constructor(
    store: EventStore,
    private readonly sources: EnvelopeSources,
    private readonly dataSource: DataSource,
    private readonly keys: ContentKeys,
    private readonly projection: Pick<MemoryProjection, 'applyAll'>,
    private readonly queries: MemoryQueries,
    private readonly metrics: MemoryMetrics | null,
    private readonly logger: Logger,
  ) {
    this.facts = new EventSourcedRepository(store, FACT_DECIDER, sources);
    this.behaviours = new EventSourcedRepository(store, BEHAVIOUR_DECIDER, sources);
    this.learnings = new EventSourcedRepository(store, LEARNING_DECIDER, sources);
    this.policies = new EventSourcedRepository(store, MEMORY_POLICY_DECIDER, sources);
    this.deletions = new EventSourcedRepository(store, DELETION_DECIDER, sources);
    this.maintenance = new EventSourcedRepository(store, MAINTENANCE_DECIDER, sources);
  }

  /** Applies what a command appended to the read model, and counts it. */
  async applied(events: readonly EvalVaultEvent[]): Promise<EvalVaultEvent[]> {
    if (events.length === 0) return [];
    await this.projection.applyAll(events);
    for (const event of events) this.metrics?.events.inc({ type: event.type });
    return [...events];
  }

  async fact(factId: string, command: FactCommand, context: CommandContext): Promise<EvalVaultEvent[]> {
    return this.applied((await this.facts.handle(factStreamId(factId), command, context)).events);
  }

  async behaviour(behaviourId: string, command: BehaviourCommand, context: CommandContext) {
    return this.applied((await this.behaviours.handle(behaviourStreamId(behaviourId), command, context)).events);
  }

  /** A behaviour's text sealed under its own key; null when it was forgotten for good. */
  sealBehaviour(tenantId: string, behaviourId: string, trigger: string, action: string): Promise<Buffer | null> {
    return this.keys.seal(tenantId, behaviourId, { trigger, action });
  }

  // ---- policy --------------------------------------------------------------------------------

  async policy(scope: Scope): Promise<MemoryPolicyView> {
    const { state } = await this.policies.load(policyStreamId(scope.tenantId, scope.projectId), scope);
    return { projectId: scope.projectId, version: state.version, policy: state.policy ?? DEFAULT_MEMORY_POLICY };
  }

  async setPolicy(input: SetMemoryPolicyRequest, context: CommandContext): Promise<MemoryPolicyView> {
    parseMemoryPolicy(input); // refused before anything is loaded or appended
    const stream = policyStreamId(context.tenantId, context.projectId);
    await this.applied((await this.policies.handle(stream, { type: 'SetMemoryPolicy', input }, context)).events);
    return this.policy(context);
  }

  // ---- facts ---------------------------------------------------------------------------------

  /** Proposes a fact, or records support for it when the project has the triple; null when its text was forgotten. */
  async propose(proposal: FactProposal, context: CommandContext): Promise<EvalVaultEvent[] | null> {
    const factId = factIdOf(context.tenantId, context.projectId, proposal.subject, proposal.predicate, proposal.object);
    const sealed = await this.keys.seal(context.tenantId, factId, {
      subject: proposal.subject,
      predicate: proposal.predicate,
      object: proposal.object,
    });
    if (!sealed) return null; // forgotten for good: not learned again
    return this.fact(
      factId,
      {
        type: 'ProposeFact',
        at: this.sources.now(),
        proposal: {
          factId,
          keyId: factId,
          sealed,
          domain: proposal.domain,
          language: proposal.language,
          kind: proposal.kind,
          verificationScore: proposal.score,
          sources: proposal.sources,
        },
      },
      context,
    );
  }

  async verifyFact(factId: unknown, reason: unknown, context: CommandContext): Promise<void> {
    const id = await this.ownFact(factId, context);
    if (reason !== undefined && reason !== null && (typeof reason !== 'string' || reason.length > 1000))
      throw invalidInput('reason: text of at most 1000 characters');
    const verify = { type: 'VerifyFact' as const, factId: id, reason: (reason as string | null | undefined) ?? null };
    await this.fact(id, { ...verify, at: this.sources.now() }, context);
    // A reviewer's verification resolves its conflicts: the others become contradictory.
    const { state } = await this.facts.load(factStreamId(id), context);
    for (const other of state.conflicts)
      await this.fact(other, { type: 'ContradictFact', factId: other, keptFactId: id, reason: 'verified' }, context);
  }

  async rejectFact(factId: unknown, reason: unknown, context: CommandContext): Promise<void> {
    if (typeof reason !== 'string' || reason.trim().length === 0 || reason.length > 1000)
      throw invalidInput('reason: why, as text of 1 to 1000 characters');
    const id = await this.ownFact(factId, context);
    await this.fact(id, { type: 'RejectFact', factId: id, reason }, context);
  }

  /** The fact id if the caller's project has it (another project's is not found). */
  private async ownFact(factId: unknown, scope: Scope): Promise<string> {
    if (!isEntryId(factId)) throw notFound(`fact ${String(factId).slice(0, 64)}`);
    const { state } = await this.facts.load(factStreamId(factId), scope);
    if (!state.exists || state.forgotten) throw notFound(`fact ${factId}`);
    return factId;
  }

  // ---- deletion requests ---------------------------------------------------------------------

  async requestDeletion(input: MemoryDeletionRequest, context: CommandContext): Promise<MemoryDeletionResult> {
    const { target, value } = input as Partial<MemoryDeletionRequest>;
    if (target !== 'subject' && target !== 'document') throw invalidInput('target: subject or document');
    if (typeof value !== 'string' || value.trim().length === 0 || value.length > MAX_TEXT)
      throw invalidInput(`value: text of 1 to ${MAX_TEXT} characters`);
    const unknown = Object.keys(input).filter((key) => key !== 'target' && key !== 'value');
    if (unknown.length > 0) throw invalidInput(`${unknown[0]}: not a field of a deletion request`);
    const entries = await this.matching(context, target, value);
    const requestId = this.sources.newId();
    for (const entry of entries) {
      const forget = { reason: 'deletion_request' as const, requestId };
      if (entry.kind === 'fact')
        await this.fact(entry.id, { type: 'ForgetFact', ...forget, factId: entry.id }, context);
      else await this.behaviour(entry.id, { type: 'ForgetBehaviour', ...forget, behaviourId: entry.id }, context);
      this.metrics?.forgotten.inc({ kind: entry.kind, reason: 'deletion_request' });
    }
    // The keys go now, whatever the read model's consumer does later.
    await this.keys.destroy(
      context.tenantId,
      entries.map((entry) => entry.id),
    );
    const request = { type: 'RequestDeletion' as const, requestId, target, targetHash: targetHashOf(value), entries };
    await this.applied((await this.deletions.handle(deletionStreamId(requestId), request, context)).events);
    this.logger.info({ requestId, target, forgotten: entries.length }, 'memory deletion request done');
    return { requestId, forgotten: entries.length };
  }

  /**
   * What a deletion request removes, in the caller's project only. A subject: the facts with that
   * subject (normalised), and the behaviours whose trigger or action has it as whole words. A
   * document: the entries with that document among their sources, by its id or its name's sha256.
   */
  private async matching(scope: Scope, target: 'subject' | 'document', value: string): Promise<MemoryEntryRef[]> {
    const params = [scope.tenantId, scope.projectId];
    const documents = JSON.stringify([
      [{ kind: 'document', id: value }],
      [{ kind: 'document', id: createHash('sha256').update(value, 'utf8').digest('hex') }],
    ]);
    const bySources = (table: 'facts' | 'behaviours', id: string) =>
      this.dataSource.query(
        `SELECT ${id} AS id FROM ${S}.${table} WHERE tenant_id = $1 AND project_id = $2
           AND EXISTS (SELECT 1 FROM jsonb_array_elements($3::jsonb) d WHERE sources @> d)`,
        [...params, documents],
      ) as Promise<{ id: string }[]>;
    const subject = normalise(value);
    const words = `\\m${subject.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\M`;
    const facts =
      target === 'subject'
        ? ((await this.dataSource.query(
            `SELECT fact_id AS id FROM ${S}.facts WHERE tenant_id = $1 AND project_id = $2 AND subject_norm = $3`,
            [...params, subject],
          )) as { id: string }[])
        : await bySources('facts', 'fact_id');
    const behaviours =
      target === 'subject'
        ? ((await this.dataSource.query(
            `SELECT behaviour_id AS id FROM ${S}.behaviours WHERE tenant_id = $1 AND project_id = $2
               AND lower(trigger || ' ' || action) ~ $3`,
            [...params, words],
          )) as { id: string }[])
        : await bySources('behaviours', 'behaviour_id');
    return [
      ...facts.map((row) => ({ kind: 'fact', id: row.id })),
      ...behaviours.map((row) => ({ kind: 'behaviour', id: row.id })),
    ];
  }

  // ---- export / import -----------------------------------------------------------------------

  async exportTriples(scope: Scope): Promise<MemoryExport> {
    const facts: MemoryTriple[] = [];
    for await (const row of this.queries.allFacts(scope))
      facts.push({
        subject: row.subject,
        predicate: row.predicate,
        object: row.object,
        domain: row.domain,
        language: row.language,
        kind: row.kind,
        status: row.status,
        verificationScore: Number(row.verification_score),
        verificationCount: row.verification_count,
        sources: row.sources,
      });
    return {
      format: MEMORY_EXPORT_FORMAT,
      projectId: scope.projectId,
      exportedAt: new Date(this.sources.now()).toISOString(),
      facts,
    };
  }

  async importTriples(input: MemoryImportRequest, context: CommandContext): Promise<MemoryImportResult> {
    const triples = validImport(input);
    // One document per import: its source id, so a deletion request for the document removes what it brought.
    const documentId = id32('import', JSON.stringify(triples));
    let proposed = 0;
    let supported = 0;
    for (const triple of triples) {
      const sources: MemorySource[] = [
        { kind: 'document', id: documentId, runId: null },
        ...(triple.sources ?? []).map(({ kind, id }) => ({ kind, id, runId: null })),
      ];
      const events = await this.propose(
        {
          subject: triple.subject,
          predicate: triple.predicate,
          object: triple.object,
          domain: triple.domain ?? 'imported',
          language: triple.language ?? 'en',
          kind: triple.kind === 'verified' ? 'verified' : 'inferred',
          score: triple.verificationScore ?? 0.5,
          sources,
        },
        context,
      );
      if (events?.some((event) => event.type === 'FactProposed')) proposed += 1;
      else if (events?.some((event) => event.type === 'FactSupported')) supported += 1;
    }
    return { proposed, supported };
  }

  // ---- maintenance ---------------------------------------------------------------------------

  /** One maintenance pass of the context's project; one MemoryMaintenanceCompleted whatever it changed. */
  async maintain(context: CommandContext, trigger: 'schedule' | 'request'): Promise<MemoryMaintenanceResult> {
    try {
      const result = await this.maintainOnce(context);
      this.metrics?.maintenancePasses.inc({ trigger, outcome: 'done' });
      return result;
    } catch (error) {
      this.metrics?.maintenancePasses.inc({ trigger, outcome: 'failed' });
      throw error;
    }
  }

  private async maintainOnce(context: CommandContext): Promise<MemoryMaintenanceResult> {
    const { policy, version } = await this.policy(context);
    const now = this.sources.now();
    const plan = planMaintenance(await factSnapshots(this.dataSource, context), policy, now);
    let decayed = 0;
    for (const { factId } of plan.decay) {
      const command = { type: 'DecayFact' as const, factId, at: now, ...policy.decay };
      if ((await this.fact(factId, command, context)).length > 0) decayed += 1;
    }
    const forgotten: MemoryEntryRef[] = [];
    const forget = async (factId: string, reason: FactForgetReason) => {
      if ((await this.fact(factId, { type: 'ForgetFact', factId, reason, requestId: null }, context)).length > 0) {
        forgotten.push({ kind: 'fact', id: factId });
        this.metrics?.forgotten.inc({ kind: 'fact', reason });
      }
    };
    for (const { factId, reason } of plan.forget) await forget(factId, reason);
    let consolidated = 0;
    for (const { keptFactId, mergedFactIds } of plan.consolidate) {
      const sources: MemorySource[] = [];
      for (const merged of mergedFactIds) {
        const row = await this.dataSource.query(`SELECT sources FROM ${S}.facts WHERE fact_id = $1`, [merged]);
        sources.push(...((row[0]?.sources as MemorySource[] | undefined) ?? []));
      }
      await this.fact(keptFactId, { type: 'ConsolidateFacts', keptFactId, mergedFactIds, sources }, context);
      for (const merged of mergedFactIds) await forget(merged, 'consolidated');
      consolidated += mergedFactIds.length;
    }
    for (const { behaviourId, reason } of behaviourForgettingPlan(
      await behaviourSnapshots(this.dataSource, context),
      policy,
      now,
    )) {
      const command = { type: 'ForgetBehaviour' as const, behaviourId, reason, requestId: null };
      if ((await this.behaviour(behaviourId, command, context)).length === 0) continue;
      forgotten.push({ kind: 'behaviour', id: behaviourId });
      this.metrics?.forgotten.inc({ kind: 'behaviour', reason });
    }
    for (const [a, b] of plan.flag) {
      await this.fact(a, { type: 'FlagFactConflict', factId: a, conflictingFactId: b }, context);
      await this.fact(b, { type: 'FlagFactConflict', factId: b, conflictingFactId: a }, context);
    }
    let conflictsResolved = 0;
    for (const { factId, keptFactId, reason } of plan.contradict) {
      const command = { type: 'ContradictFact' as const, factId, keptFactId, reason };
      if ((await this.fact(factId, command, context)).length > 0) conflictsResolved += 1;
    }
    await this.keys.destroy(
      context.tenantId,
      forgotten.map((entry) => entry.id),
    );
    const summary = { decayed, forgotten: forgotten.length, consolidated, conflictsResolved, policyVersion: version };
    const stream = maintenanceStreamId(context.tenantId, context.projectId);
    await this.applied(
      (await this.maintenance.handle(stream, { type: 'CompleteMaintenance', summary, forgotten }, context)).events,
    );
    this.logger.info({ projectId: context.projectId, ...summary }, 'memory maintenance pass done');
    return summary;
  }
}
