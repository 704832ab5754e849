import type { CanonicalEntry } from './canonical.js';

/** The columns a query filters on, all derived from the canonical entry (verification checks they still agree). */
export interface EntryIndex {
  project_id: string;
  action: string;
  occurred_at: string;
  actor_pseudonym: string;
  target_pseudonym: string | null;
  resource_keys: string[];
  outcome: string;
}

/** A resource is found by `type:id` or by its bare id. */
export function resourceKeysOf(entry: Pick<CanonicalEntry, 'resources'>): string[] {
  return [...new Set(entry.resources.flatMap((resource) => [`${resource.type}:${resource.id}`, resource.id]))].sort();
}

export function indexOf(entry: CanonicalEntry): EntryIndex {
  return {
    project_id: entry.projectId,
    action: entry.action,
    occurred_at: new Date(entry.occurredAt).toISOString(),
    actor_pseudonym: entry.actor.pseudonym,
    target_pseudonym: entry.target?.pseudonym ?? null,
    resource_keys: resourceKeysOf(entry),
    outcome: entry.outcome,
  };
}

/** The first index column that no longer says what the canonical entry says, or null. */
export function indexDisagreement(
  row: EntryIndex,
  entry: CanonicalEntry,
): { field: string; expected: string; actual: string } | null {
  const expected = indexOf(entry);
  for (const field of Object.keys(expected) as (keyof EntryIndex)[]) {
    const want = JSON.stringify(expected[field]);
    const got = JSON.stringify(field === 'resource_keys' ? [...(row[field] ?? [])].sort() : row[field]);
    if (want !== got) return { field, expected: want, actual: got };
  }
  return null;
}
