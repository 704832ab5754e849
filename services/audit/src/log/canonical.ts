import { createHash } from 'node:crypto';
import type { AuditResource } from '@evalvault/service-apis';
import type { Detail } from './event-facts.js';

/** The hash an empty chain starts from. */
export const GENESIS_HASH = '0'.repeat(64);

/** A subject as the log keeps it: a keyed pseudonym, and the subject sealed with its own key (null once unreadable). */
export interface SealedSubject {
  pseudonym: string;
  sealed: string | null;
}

/**
 * One audit entry exactly as it is hashed. Only what the event determines goes in — no
 * time of recording, no chain position — so the consumer and a replay from the event store
 * produce the same bytes. Subjects appear only as pseudonym and ciphertext, never in plain
 * text, so destroying a subject's key leaves every hash intact.
 */
export interface CanonicalEntry {
  v: 1;
  eventId: string;
  action: string;
  occurredAt: number;
  tenantId: string;
  projectId: string;
  streamId: string;
  actor: SealedSubject & { authMethod: string; apiKeyId: string | null };
  target: SealedSubject | null;
  resources: AuditResource[];
  outcome: string;
  details: Record<string, Detail>;
  correlationId: string;
  causationId: string | null;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * JSON with object keys sorted at every depth and no whitespace: one text per value,
 * whatever order its properties were built in. Non-finite numbers have no JSON form and
 * are refused rather than silently turned into null.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(normalised(value));
}

function normalised(value: unknown): Json {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`canonical JSON has no form for ${value}`);
    return value;
  }
  if (Array.isArray(value)) return value.map(normalised);
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, item]) => item !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([key, item]) => [key, normalised(item)]));
  }
  throw new Error(`canonical JSON has no form for a ${typeof value}`);
}

/** Each entry's hash covers the previous hash and the entry's canonical text. */
export function chainHash(previousHash: string, canonical: string): string {
  return createHash('sha256').update(previousHash, 'utf8').update('\n', 'utf8').update(canonical, 'utf8').digest('hex');
}
