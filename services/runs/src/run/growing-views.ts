/**
 * Append-only collections shared by successive run states. Folding copied a run's case sets
 * and score lists for every recorded batch, so the k-th batch cost O(k) and a run of n cases
 * O(n²). Here a state holds a view: the shared log and its length when the state was made.
 * Extending the newest view appends in place (O(batch)); extending an older one — a fold from
 * a superseded state, as after a write conflict — copies its prefix first, so no state ever
 * sees another's later additions.
 */
export class CaseIndexSet {
  static empty(): CaseIndexSet {
    return new CaseIndexSet(new Map(), 0);
  }

  private constructor(
    /** Case index → the order it was added in; members of this view have an order below `size`. */
    private readonly order: Map<number, number>,
    readonly size: number,
  ) {}

  has(caseIndex: number): boolean {
    const at = this.order.get(caseIndex);
    return at !== undefined && at < this.size;
  }

  /** This view plus the given indexes (already-present ones are ignored). */
  with(indexes: Iterable<number>): CaseIndexSet {
    const order = this.order.size === this.size ? this.order : this.prefix();
    for (const caseIndex of indexes) if (!order.has(caseIndex)) order.set(caseIndex, order.size);
    return new CaseIndexSet(order, order.size);
  }

  private prefix(): Map<number, number> {
    return new Map([...this.order].filter(([, at]) => at < this.size));
  }
}

/** Scores per metric, in arrival order; the same sharing as CaseIndexSet. */
export class ScoreColumns {
  static empty(): ScoreColumns {
    return new ScoreColumns(new Map(), new Map());
  }

  private constructor(
    private readonly columns: Map<string, number[]>,
    /** Metric → how many of its column's scores this view holds. */
    private readonly lengths: ReadonlyMap<string, number>,
  ) {}

  /** This view plus one (metric, score) pair per entry. */
  with(scores: Iterable<{ metric: string; score: number }>): ScoreColumns {
    const atTip = [...this.columns].every(([metric, column]) => column.length === (this.lengths.get(metric) ?? 0));
    const columns = atTip ? this.columns : this.prefix();
    for (const { metric, score } of scores) {
      const column = columns.get(metric);
      if (column) column.push(score);
      else columns.set(metric, [score]);
    }
    return new ScoreColumns(columns, new Map([...columns].map(([metric, column]) => [metric, column.length])));
  }

  /** The view as plain lists (a copy), for aggregates and the gate. */
  toMap(): Map<string, number[]> {
    return new Map([...this.lengths].map(([metric, length]) => [metric, this.columns.get(metric)!.slice(0, length)]));
  }

  private prefix(): Map<string, number[]> {
    return this.toMap();
  }
}
