import type { TokenUsage } from '../llm-provider.port.js';

export interface ModelPrice {
  inputUsdPerMillion: number;
  outputUsdPerMillion: number;
}

export interface Cost {
  costUsd: number;
  /** False when the model has no price: the cost is then 0, and should be read as "unknown". */
  priced: boolean;
}

/**
 * USD prices per million tokens, by model. Configured by the deployment, not built in:
 * vendor prices change, and a stale built-in price would be wrong silently, whereas an
 * unknown model shows up as `priced: false`. A dated model id ("gpt-4o-2024-08-06") takes
 * the price of the longest configured name it starts with.
 */
export class PriceTable {
  private readonly names: string[];

  constructor(private readonly prices: Readonly<Record<string, ModelPrice>> = {}) {
    this.names = Object.keys(prices).sort((a, b) => b.length - a.length);
  }

  priceOf(model: string): ModelPrice | undefined {
    const exact = this.prices[model];
    if (exact) return exact;
    const prefix = this.names.find((name) => model.startsWith(name));
    return prefix === undefined ? undefined : this.prices[prefix];
  }

  costOf(model: string, usage: TokenUsage): Cost {
    const price = this.priceOf(model);
    if (!price) return { costUsd: 0, priced: false };
    return {
      costUsd:
        (usage.promptTokens * price.inputUsdPerMillion + usage.completionTokens * price.outputUsdPerMillion) /
        1_000_000,
      priced: true,
    };
  }
}
