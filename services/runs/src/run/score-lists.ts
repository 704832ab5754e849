/**
 * A run's scores per metric, gathered as doubles (8 bytes a score) while its results are read,
 * and handed over as arrays of unboxed doubles for the aggregates and the gate.
 */
export class ScoreLists {
  private readonly columns = new Map<string, ScoreColumn>();

  add(scores: Iterable<{ metric: string; score: number }>): void {
    for (const { metric, score } of scores) {
      let column = this.columns.get(metric);
      if (!column) this.columns.set(metric, (column = new ScoreColumn()));
      column.push(score);
    }
  }

  toMap(): Map<string, number[]> {
    return new Map([...this.columns].map(([metric, column]) => [metric, column.toArray()]));
  }
}

/** A growable list of doubles. */
class ScoreColumn {
  private length = 0;
  private values = new Float64Array(1024);

  push(score: number): void {
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = score;
  }

  /** The scores as an array of unboxed doubles, sized exactly. */
  toArray(): number[] {
    const scores = new Array<number>(this.length);
    for (let n = 0; n < this.length; n++) scores[n] = this.values[n]!;
    return scores;
  }
}
