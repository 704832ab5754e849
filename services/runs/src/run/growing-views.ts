/**
 * Append-only collections shared by successive run states. Folding copied a run's case sets
 * for every recorded batch, so the k-th batch cost O(k) and a run of n cases O(n²). Here a
 * state holds a view: the shared log and its length when the state was made.
 * Extending the newest view appends in place (O(batch)); extending an older one — a fold from
 * a superseded state, as after a write conflict — copies its prefix first, so no state ever
 * sees another's later additions. An empty view never shares: the initial state is a module
 * constant, and a log grown from it would live as long as the process.
 *
 * Every worker folds every case of the runs it works on, so a log is a typed array: 4 bytes a
 * case index where a Map entry cost about 40, 8 MB for the two sets of a million-case run.
 */
export class CaseIndexSet {
  static empty(): CaseIndexSet {
    return new CaseIndexSet(new IndexLog(), 0);
  }

  private constructor(
    private readonly log: IndexLog,
    readonly size: number,
  ) {}

  has(caseIndex: number): boolean {
    const at = this.log.orderOf(caseIndex);
    return at !== undefined && at < this.size;
  }

  /** This view plus the given indexes (already-present ones are ignored). */
  with(indexes: Iterable<number>): CaseIndexSet {
    const log = this.size > 0 && this.log.size === this.size ? this.log : this.log.prefix(this.size);
    for (const caseIndex of indexes) log.add(caseIndex);
    return new CaseIndexSet(log, log.size);
  }
}

/** Indexes below this are kept in a dense array (their arrival order, 4 bytes each); others, if ever, in a Map. */
const DENSE_LIMIT = 2 ** 28;

/** Case index → the order it was added in, for every index ever added to this log. */
class IndexLog {
  size = 0;
  /** order + 1 per case index below DENSE_LIMIT; 0: absent. */
  private dense = new Int32Array(0);
  private sparse: Map<number, number> | null = null;

  orderOf(caseIndex: number): number | undefined {
    if (isDense(caseIndex)) {
      const stored = caseIndex < this.dense.length ? this.dense[caseIndex]! : 0;
      return stored === 0 ? undefined : stored - 1;
    }
    return this.sparse?.get(caseIndex);
  }

  add(caseIndex: number): void {
    if (this.orderOf(caseIndex) !== undefined) return;
    if (isDense(caseIndex)) {
      if (caseIndex >= this.dense.length) this.grow(caseIndex + 1);
      this.dense[caseIndex] = this.size + 1;
    } else {
      (this.sparse ??= new Map()).set(caseIndex, this.size);
    }
    this.size += 1;
  }

  /** A new log holding the first `size` additions of this one. */
  prefix(size: number): IndexLog {
    const copy = new IndexLog();
    if (size === 0) return copy;
    copy.dense = this.dense.map((stored) => (stored <= size ? stored : 0));
    if (this.sparse) copy.sparse = new Map([...this.sparse].filter(([, at]) => at < size));
    copy.size = size;
    return copy;
  }

  private grow(length: number): void {
    const grown = new Int32Array(Math.min(DENSE_LIMIT, Math.max(length, this.dense.length * 2, 1024)));
    grown.set(this.dense);
    this.dense = grown;
  }
}

function isDense(caseIndex: number): boolean {
  return Number.isInteger(caseIndex) && caseIndex >= 0 && caseIndex < DENSE_LIMIT;
}
