import type { AuditEntryView } from '@evalvault/service-apis';
import type { CanonicalEntry } from '../log/canonical.js';
import type { KeyReader } from '../subjects/sealers.js';
import { sealContext } from '../subjects/subject-cipher.js';

export interface EntryRow {
  seq: string;
  canonical: string;
  prev_hash: string;
  hash: string;
}

/** An entry as an auditor reads it: subjects opened where their key still exists, null where it was destroyed. */
export async function viewOf(row: EntryRow, keys: KeyReader): Promise<AuditEntryView> {
  const entry = JSON.parse(row.canonical) as CanonicalEntry;
  const subject = await keys.reveal(entry.tenantId, entry.actor, sealContext(entry.tenantId, entry.eventId, 'actor'));
  const target = entry.target
    ? {
        subject: await keys.reveal(entry.tenantId, entry.target, sealContext(entry.tenantId, entry.eventId, 'target')),
        pseudonym: entry.target.pseudonym,
      }
    : null;
  return {
    seq: Number(row.seq),
    eventId: entry.eventId,
    action: entry.action,
    occurredAt: new Date(entry.occurredAt).toISOString(),
    tenantId: entry.tenantId,
    projectId: entry.projectId,
    streamId: entry.streamId,
    actor: {
      subject,
      pseudonym: entry.actor.pseudonym,
      authMethod: entry.actor.authMethod,
      apiKeyId: entry.actor.apiKeyId,
      forgotten: subject === null,
    },
    target: target ? { ...target, forgotten: target.subject === null } : null,
    resources: entry.resources,
    outcome: entry.outcome,
    correlationId: entry.correlationId,
    causationId: entry.causationId,
    details: entry.details,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
