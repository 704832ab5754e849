import { closestMatch, didYouMean, editDistance } from './did-you-mean.js';

describe('did you mean', () => {
  it('counts single-character edits', () => {
    expect(editDistance('faithfullness', 'faithfulness')).toBe(1);
    expect(editDistance('metrics', 'metric')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('rnu', 'run')).toBe(1); // two neighbours swapped: one slip
  });

  it('names the one near candidate, and nothing for a far or ambiguous slip', () => {
    expect(closestMatch('faithfullness', ['faithfulness', 'faithfulness_lexical', 'token_f1'])).toBe('faithfulness');
    expect(closestMatch('--metrics', ['--metric', '--gate', '--wait'])).toBe('--metric');
    expect(closestMatch('tokenf1', ['token_f1', 'bleu'])).toBe('token_f1');
    expect(closestMatch('accuracy', ['token_f1', 'exact_match', 'bleu'])).toBeNull();
    expect(closestMatch('ab', ['ac', 'ad'])).toBeNull(); // two as near: no guess
    expect(closestMatch('token_f1', ['token_f1'])).toBeNull(); // not a slip
  });

  it('phrases the suggestion for an error message', () => {
    expect(didYouMean('rnu', ['run', 'runs', 'datasets'])).toBe(' (did you mean run?)');
    expect(didYouMean('frobnicate', ['run', 'runs', 'datasets'])).toBe('');
  });
});
