import { ScoreLists } from './score-lists.js';

describe('ScoreLists', () => {
  it('keeps each metric’s scores in arrival order, past any initial size', () => {
    const lists = new ScoreLists();
    lists.add([
      { metric: 'bleu', score: 0.5 },
      { metric: 'rouge_l', score: 0.1 },
    ]);
    lists.add(Array.from({ length: 3_000 }, (_, n) => ({ metric: 'bleu', score: n / 3_000 })));
    const scores = lists.toMap();
    expect([...scores.keys()]).toEqual(['bleu', 'rouge_l']);
    expect(scores.get('rouge_l')).toEqual([0.1]);
    expect(scores.get('bleu')).toHaveLength(3_001);
    expect(scores.get('bleu')!.slice(0, 3)).toEqual([0.5, 0, 1 / 3_000]);
    expect(new ScoreLists().toMap()).toEqual(new Map());
  });
});
