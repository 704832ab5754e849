import type { AuditDifference } from '@evalvault/service-apis';
import { chainHash, GENESIS_HASH, type CanonicalEntry } from '../log/canonical.js';
import { indexDisagreement, type EntryIndex } from '../log/entry-index.js';
import { firstDifference } from './entry-diff.js';

/** One stored entry as verification reads it, with its twin rebuilt from the event store (null: none). */
export interface StoredEntry extends EntryIndex {
  seq: number;
  event_id: string;
  canonical: string;
  prev_hash: string;
  hash: string;
  rebuilt: string | null;
}

/** Where verification starts: after the retention anchor, or at the genesis. */
export interface ChainStart {
  seq: number;
  hash: string;
}

export const GENESIS: ChainStart = { seq: 0, hash: GENESIS_HASH };

const difference = (
  entry: Pick<StoredEntry, 'seq' | 'event_id'> | { seq: number; event_id: null },
  kind: AuditDifference['kind'],
  message: string,
  field: { field: string; expected: string; actual: string } | null = null,
): AuditDifference => ({
  seq: entry.seq,
  eventId: entry.event_id,
  kind,
  field: field?.field ?? null,
  expected: field?.expected ?? null,
  actual: field?.actual ?? null,
  message,
});

function parsed(canonical: string): CanonicalEntry | null {
  try {
    return JSON.parse(canonical) as CanonicalEntry;
  } catch {
    return null;
  }
}

/**
 * Walks a tenant's stored chain in seq order and reports the first entry that is not what
 * it should be. Per entry, in order: its position (a gap is a deleted entry), its content
 * against the entry rebuilt from the event store (an edit, even one whose hashes were
 * recomputed, and which field), its index columns against its content, its own hash, and
 * its link to the entry before it (a moved entry keeps a valid hash but no longer follows
 * its predecessor). Pure: the caller streams rows in and keeps no more than one.
 */
export class ChainWalker {
  private previous: ChainStart;
  compared = 0;

  constructor(start: ChainStart) {
    this.previous = start;
  }

  get head(): ChainStart {
    return this.previous;
  }

  next(entry: StoredEntry): AuditDifference | null {
    const expectedSeq = this.previous.seq + 1;
    if (entry.seq !== expectedSeq) {
      return difference(
        { seq: expectedSeq, event_id: null },
        'missing',
        `entry ${expectedSeq} is missing: entry ${entry.seq} follows entry ${this.previous.seq}`,
      );
    }
    const content = parsed(entry.canonical);
    if (!content)
      return difference(entry, 'edited', `entry ${entry.seq} is not valid JSON`, {
        field: 'canonical',
        expected: 'canonical JSON',
        actual: entry.canonical.slice(0, 120),
      });
    if (entry.rebuilt === null)
      return difference(
        entry,
        'forged',
        `entry ${entry.seq} (event ${entry.event_id}) has no event of this tenant in the event store`,
      );
    this.compared += 1;
    const changed = entry.rebuilt === entry.canonical ? null : firstDifference(JSON.parse(entry.rebuilt), content);
    if (changed)
      return difference(
        entry,
        'edited',
        `entry ${entry.seq} differs from its event in the store at ${changed.field}`,
        changed,
      );
    if (content.eventId !== entry.event_id)
      return difference(entry, 'edited', `entry ${entry.seq} is filed under another event id`, {
        field: 'event_id',
        expected: content.eventId,
        actual: entry.event_id,
      });
    const index = indexDisagreement(entry, content);
    if (index)
      return difference(
        entry,
        'edited',
        `entry ${entry.seq}: column ${index.field} disagrees with the hashed entry`,
        index,
      );
    const recomputed = chainHash(entry.prev_hash, entry.canonical);
    if (recomputed !== entry.hash)
      return difference(entry, 'edited', `entry ${entry.seq}: its hash does not match its content`, {
        field: 'hash',
        expected: recomputed,
        actual: entry.hash,
      });
    if (entry.prev_hash !== this.previous.hash) {
      return difference(
        entry,
        'out_of_order',
        `entry ${entry.seq} does not follow entry ${this.previous.seq}: ` +
          'it was moved, or an entry before it was removed or replaced',
        { field: 'prev_hash', expected: this.previous.hash, actual: entry.prev_hash },
      );
    }
    this.previous = { seq: entry.seq, hash: entry.hash };
    return null;
  }

  /** After the last entry: the chain must end where the tenant's chain head says it does. */
  finish(head: ChainStart | null): AuditDifference | null {
    if (!head || (head.seq === this.previous.seq && head.hash === this.previous.hash)) return null;
    if (head.seq > this.previous.seq) {
      return difference(
        { seq: this.previous.seq + 1, event_id: null },
        'missing',
        `entries ${this.previous.seq + 1}–${head.seq} are missing from the end of the chain`,
      );
    }
    return difference(
      { seq: head.seq, event_id: null },
      'head_mismatch',
      `the chain head (entry ${head.seq}) does not match the last entry ${this.previous.seq}`,
      { field: 'head', expected: `${head.seq}:${head.hash}`, actual: `${this.previous.seq}:${this.previous.hash}` },
    );
  }
}
