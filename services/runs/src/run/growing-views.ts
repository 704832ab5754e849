/**
 * Append-only collections shared by successive run states. Folding copied a run's case sets
 * and score lists for every recorded batch, so the k-th batch cost O(k) and a run of n cases
 * O(n²). Here a state holds a view: the shared log and its length when the state was made.
 * Extending the newest view appends in place (O(batch)); extending an older one — a fold from
 * a superseded state, as after a write conflict — copies its prefix first, so no state ever
 * sees another's later additions. An empty view never shares: the initial state is a module
 * constant, and a log grown from it would live as long as the process.
 *
 * Every worker folds every case of the runs it works on, so the logs are typed arrays: 4 bytes
 * a case index, 8 a score (a Map entry and a boxed number cost about 40 and 30), which keeps a
 * million-case run's state near 30 MB in each worker instead of about 160.
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

/** Scores per metric, in arrival order; the same sharing as CaseIndexSet. */
export class ScoreColumns {
  static empty(): ScoreColumns {
    return new ScoreColumns(new Map(), new Map());
  }

  private constructor(
    private readonly columns: Map<string, ScoreColumn>,
    /** Metric → how many of its column's scores this view holds. */
    private readonly lengths: ReadonlyMap<string, number>,
  ) {}

  /** This view plus one (metric, score) pair per entry. */
  with(scores: Iterable<{ metric: string; score: number }>): ScoreColumns {
    const atTip =
      this.lengths.size > 0 &&
      [...this.columns].every(([metric, column]) => column.length === (this.lengths.get(metric) ?? 0));
    const columns = atTip ? this.columns : this.prefix();
    for (const { metric, score } of scores) {
      let column = columns.get(metric);
      if (!column) columns.set(metric, (column = new ScoreColumn()));
      column.push(score);
    }
    return new ScoreColumns(columns, new Map([...columns].map(([metric, column]) => [metric, column.length])));
  }

  /** The view as plain lists (a copy), for aggregates and the gate. */
  toMap(): Map<string, number[]> {
    return new Map([...this.lengths].map(([metric, length]) => [metric, this.columns.get(metric)!.toArray(length)]));
  }

  private prefix(): Map<string, ScoreColumn> {
    return new Map([...this.lengths].map(([metric, length]) => [metric, this.columns.get(metric)!.copy(length)]));
  }
}

/** A growable list of doubles, 8 bytes a score. */
class ScoreColumn {
  length = 0;
  private values = new Float64Array(0);

  push(score: number): void {
    if (this.length === this.values.length) {
      const grown = new Float64Array(Math.max(1024, this.values.length * 2));
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = score;
  }

  /** The first `length` scores as an array of unboxed doubles, sized exactly. */
  toArray(length: number): number[] {
    const scores = new Array<number>(length);
    for (let n = 0; n < length; n++) scores[n] = this.values[n]!;
    return scores;
  }

  copy(length: number): ScoreColumn {
    const copy = new ScoreColumn();
    copy.values = this.values.slice(0, Math.max(length, 1024));
    copy.length = length;
    return copy;
  }
}
