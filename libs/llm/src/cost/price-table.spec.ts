import { PriceTable } from './price-table.js';
import { UsageMeter } from './usage-meter.js';

describe('price table', () => {
  const prices = new PriceTable({
    'gpt-4o': { inputUsdPerMillion: 2.5, outputUsdPerMillion: 10 },
    'gpt-4o-mini': { inputUsdPerMillion: 0.15, outputUsdPerMillion: 0.6 },
  });

  it('prices input and output tokens per million', () => {
    expect(prices.costOf('gpt-4o', { promptTokens: 1_000_000, completionTokens: 100_000 })).toEqual({
      costUsd: 3.5,
      priced: true,
    });
  });

  it('prices a dated model id by the longest name it starts with', () => {
    expect(
      prices.costOf('gpt-4o-mini-2024-07-18', { promptTokens: 1_000_000, completionTokens: 0 }).costUsd,
    ).toBeCloseTo(0.15);
    expect(prices.costOf('gpt-4o-2024-08-06', { promptTokens: 1_000_000, completionTokens: 0 }).costUsd).toBeCloseTo(
      2.5,
    );
  });

  it('gives an unknown model a cost of 0, marked unpriced', () => {
    expect(prices.costOf('llama3.1', { promptTokens: 5_000, completionTokens: 5_000 })).toEqual({
      costUsd: 0,
      priced: false,
    });
  });
});

describe('usage meter', () => {
  it('adds up calls and cache hits, in total and per purpose', () => {
    const meter = new UsageMeter();
    meter.recordCall({
      purpose: 'faithfulness.claims',
      usage: { promptTokens: 100, completionTokens: 20 },
      costUsd: 0.002,
      priced: true,
    });
    meter.recordCall({
      purpose: 'faithfulness.verdicts',
      usage: { promptTokens: 50, completionTokens: 10 },
      costUsd: 0,
      priced: false,
    });
    meter.recordCacheHit('faithfulness.claims');
    const summary = meter.summary();
    expect(summary).toMatchObject({
      requests: 2,
      cacheHits: 1,
      promptTokens: 150,
      completionTokens: 30,
      unpricedRequests: 1,
    });
    expect(summary.costUsd).toBeCloseTo(0.002);
    expect(summary.byPurpose['faithfulness.claims']).toMatchObject({ requests: 1, cacheHits: 1, promptTokens: 100 });
    expect(summary.byPurpose['faithfulness.verdicts']).toMatchObject({
      requests: 1,
      cacheHits: 0,
      unpricedRequests: 1,
    });
  });
});
