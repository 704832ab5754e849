import type { TokenUsage } from '../llm-provider.port.js';

export interface UsageTotals {
  /** Calls that reached a vendor (and were paid for). */
  requests: number;
  /** Calls answered from the response cache: no vendor call, no cost. */
  cacheHits: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  /** Paid calls whose model has no price, so costUsd understates the spend. */
  unpricedRequests: number;
}

export interface UsageSummary extends UsageTotals {
  /** The same totals per judge purpose (e.g. "faithfulness.claims"), for a cost breakdown. */
  byPurpose: Record<string, UsageTotals>;
}

export interface UsageRecord {
  purpose: string;
  usage: TokenUsage;
  costUsd: number;
  priced: boolean;
}

const empty = (): UsageTotals => ({
  requests: 0,
  cacheHits: 0,
  promptTokens: 0,
  completionTokens: 0,
  costUsd: 0,
  unpricedRequests: 0,
});

/** What one evaluation run cost: one meter per run, fed by the judge client, read when the run ends. */
export class UsageMeter {
  private readonly total = empty();
  private readonly purposes = new Map<string, UsageTotals>();

  recordCall(record: UsageRecord): void {
    for (const totals of [this.total, this.totalsFor(record.purpose)]) {
      totals.requests += 1;
      totals.promptTokens += record.usage.promptTokens;
      totals.completionTokens += record.usage.completionTokens;
      totals.costUsd += record.costUsd;
      if (!record.priced) totals.unpricedRequests += 1;
    }
  }

  recordCacheHit(purpose: string): void {
    this.total.cacheHits += 1;
    this.totalsFor(purpose).cacheHits += 1;
  }

  summary(): UsageSummary {
    return {
      ...this.total,
      byPurpose: Object.fromEntries([...this.purposes].map(([purpose, totals]) => [purpose, { ...totals }])),
    };
  }

  private totalsFor(purpose: string): UsageTotals {
    let totals = this.purposes.get(purpose);
    if (!totals) this.purposes.set(purpose, (totals = empty()));
    return totals;
  }
}
