/**
 * The official SQuAD evaluation script's normalisation (evaluate-v2.0.py, normalize_answer), which is
 * the reference of exact_match and token_f1: lowercase, delete ASCII punctuation (Python's
 * string.punctuation), replace the words a/an/the by a space, collapse whitespace. Unlike the lexical
 * metrics' normaliseAnswer it keeps other punctuation (’ “ —), as the script does.
 */
const ASCII_PUNCTUATION = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g;
// Python's \b with re.UNICODE: a word character is a letter, a number or "_".
const ARTICLE = /(?<![\p{L}\p{N}_])(?:a|an|the)(?![\p{L}\p{N}_])/gu;
// What Python's str.split() splits on (str.isspace()), which differs from JavaScript's \s: the
// information separators \x1c-\x1f are whitespace to Python.
// eslint-disable-next-line no-control-regex
const PYTHON_WHITESPACE = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/u;

export function squadNormalise(text: string): string {
  return squadSplit(text.toLowerCase().replace(ASCII_PUNCTUATION, '').replace(ARTICLE, ' ')).join(' ');
}

/** get_tokens of the script: the normalised text split on whitespace; an empty text has no tokens. */
export function squadTokens(text: string): string[] {
  return squadSplit(squadNormalise(text));
}

function squadSplit(text: string): string[] {
  return text.split(PYTHON_WHITESPACE).filter((token) => token !== '');
}
