import { CaseIndexSet } from './growing-views.js';

describe('CaseIndexSet', () => {
  it('grows without changing the views made before', () => {
    const empty = CaseIndexSet.empty();
    const first = empty.with([0, 1]);
    const second = first.with([2, 1]);
    expect([empty.size, first.size, second.size]).toEqual([0, 2, 3]);
    expect(first.has(2)).toBe(false);
    expect(second.has(2)).toBe(true);
    expect(empty.has(0)).toBe(false);
  });

  it('forks when an older view is extended, so neither branch sees the other', () => {
    const base = CaseIndexSet.empty().with([0]);
    const left = base.with([1]);
    const right = base.with([2]);
    expect([left.has(1), left.has(2)]).toEqual([true, false]);
    expect([right.has(1), right.has(2)]).toEqual([false, true]);
    expect([left.size, right.size, base.size]).toEqual([2, 2, 1]);
  });
});

describe('views grown from an empty one', () => {
  it('share nothing with it: the initial state, a module constant, keeps no run’s cases', () => {
    const indexes = CaseIndexSet.empty();
    const first = indexes.with([0, 1]);
    const second = indexes.with([2]);
    expect([first.has(0), first.has(2), second.has(0), second.has(2)]).toEqual([true, false, false, true]);
    // What the empty view holds (private, read here on purpose): still nothing.
    expect((Reflect.get(indexes, 'log') as { size: number }).size).toBe(0);
  });
});

describe('CaseIndexSet with indexes of any size', () => {
  it('keeps a million indexes, and ones outside the dense range, each once', () => {
    let set = CaseIndexSet.empty();
    for (let from = 0; from < 1_000_000; from += 1_000)
      set = set.with(Array.from({ length: 1_000 }, (_, n) => from + n));
    const odd = set.with([-1, 2 ** 40, 1.5, 2 ** 40, 999_999]);
    expect([set.size, odd.size]).toEqual([1_000_000, 1_000_003]);
    expect([odd.has(-1), odd.has(2 ** 40), odd.has(1.5), set.has(2 ** 40), odd.has(1_000_000)]).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
  });
});
