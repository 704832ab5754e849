import { batchSizeFor } from './run-planner.js';

describe('batchSizeFor', () => {
  const sizes = { judged: 20, deterministic: 200 };

  it('gives runs of deterministic metrics the large batch', () => {
    expect(batchSizeFor(['rouge_l', 'bleu', 'token_f1'], sizes)).toBe(200);
  });

  it('gives a run with any LLM-judged metric, or an unknown one, the small batch', () => {
    expect(batchSizeFor(['token_f1', 'faithfulness'], sizes)).toBe(20);
    expect(batchSizeFor(['no_such_metric'], sizes)).toBe(20);
  });
});
