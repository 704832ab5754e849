import { canonicalJson, chainHash, GENESIS_HASH, type CanonicalEntry } from '../log/canonical.js';
import { indexOf } from '../log/entry-index.js';
import { UNVERIFIABLE } from '../subjects/sealers.js';
import { ChainWalker, GENESIS, type StoredEntry } from './chain-walker.js';

function entry(n: number): CanonicalEntry {
  return {
    v: 1,
    eventId: `00000000-0000-4000-8000-00000000000${n}`,
    action: 'RunStarted',
    occurredAt: Date.UTC(2026, 0, 1, 0, n),
    tenantId: 't',
    projectId: 'p',
    streamId: `run-${n}`,
    actor: { pseudonym: 'ps-alice', sealed: `v1.sealed-${n}`, authMethod: 'oidc', apiKeyId: null },
    target: null,
    resources: [{ type: 'run', id: `r-${n}`, version: null, contentHash: null }],
    outcome: 'success',
    details: { totalCases: n },
    correlationId: `c-${n}`,
    causationId: null,
  };
}

/** A stored chain of `count` entries as the writer makes it, each with its rebuilt twin. */
function chain(count: number): StoredEntry[] {
  const rows: StoredEntry[] = [];
  let previous = GENESIS_HASH;
  for (let seq = 1; seq <= count; seq++) {
    const content = entry(seq);
    const canonical = canonicalJson(content);
    const hash = chainHash(previous, canonical);
    rows.push({
      ...indexOf(content),
      seq,
      event_id: content.eventId,
      canonical,
      prev_hash: previous,
      hash,
      rebuilt: canonical,
    });
    previous = hash;
  }
  return rows;
}

function walk(rows: StoredEntry[], head: { seq: number; hash: string } | null = null): ReturnType<ChainWalker['next']> {
  const walker = new ChainWalker(GENESIS);
  for (const row of rows) {
    const difference = walker.next(row);
    if (difference) return difference;
  }
  return walker.finish(head);
}

describe('chain walker', () => {
  it('verifies an untouched chain up to its head', () => {
    const rows = chain(4);
    expect(walk(rows, { seq: 4, hash: rows[3]!.hash })).toBeNull();
  });

  it('locates an edited entry and names the field, even when its hash was recomputed', () => {
    const rows = chain(4);
    const edited = JSON.parse(rows[1]!.canonical) as CanonicalEntry;
    edited.details = { totalCases: 99 };
    rows[1] = {
      ...rows[1]!,
      canonical: canonicalJson(edited),
      hash: chainHash(rows[1]!.prev_hash, canonicalJson(edited)),
    };
    expect(walk(rows)).toMatchObject({
      seq: 2,
      kind: 'edited',
      field: 'details.totalCases',
      expected: '2',
      actual: '99',
    });
  });

  it('locates a deleted entry by the gap it leaves', () => {
    const rows = chain(4);
    rows.splice(2, 1);
    expect(walk(rows)).toMatchObject({ seq: 3, kind: 'missing', eventId: null });
  });

  it('locates entries that swapped places', () => {
    const rows = chain(4);
    const [second, third] = [rows[1]!, rows[2]!];
    rows[1] = { ...third, seq: 2 };
    rows[2] = { ...second, seq: 3 };
    expect(walk(rows)).toMatchObject({ seq: 2, kind: 'out_of_order', field: 'prev_hash', expected: rows[0]!.hash });
  });

  it('notices entries cut from the end against the chain head', () => {
    const rows = chain(4);
    expect(walk(rows.slice(0, 3), { seq: 4, hash: rows[3]!.hash })).toMatchObject({ seq: 4, kind: 'missing' });
  });

  it('calls an entry with no event in the store forged, and an index column that lies edited', () => {
    const forged = chain(2);
    forged[1] = { ...forged[1]!, rebuilt: null };
    expect(walk(forged)).toMatchObject({ seq: 2, kind: 'forged' });
    const relabelled = chain(2);
    relabelled[0] = { ...relabelled[0]!, action: 'RunCancelled' };
    expect(walk(relabelled)).toMatchObject({ seq: 1, kind: 'edited', field: 'action' });
  });

  it('accepts what the log holds where the replay could not rebuild a forgotten subject', () => {
    const rows = chain(2);
    const rebuilt = JSON.parse(rows[0]!.rebuilt!) as CanonicalEntry;
    rebuilt.actor.sealed = UNVERIFIABLE;
    rows[0] = { ...rows[0]!, rebuilt: canonicalJson(rebuilt) };
    expect(walk(rows)).toBeNull();
  });

  it('starts after a retention anchor', () => {
    const rows = chain(4);
    const walker = new ChainWalker({ seq: 2, hash: rows[1]!.hash });
    expect(walker.next(rows[2]!)).toBeNull();
    expect(walker.next(rows[3]!)).toBeNull();
    expect(new ChainWalker({ seq: 2, hash: 'f'.repeat(64) }).next(rows[2]!)).toMatchObject({
      seq: 3,
      kind: 'out_of_order',
    });
  });
});
