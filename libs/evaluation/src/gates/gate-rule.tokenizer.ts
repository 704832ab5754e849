/**
 * word: aggregate, metric or `baseline`; symbol: punctuation and comparators;
 * invalid: a character no rule may contain (reported by the parser, which knows what it expected).
 */
export type TokenKind = 'word' | 'number' | 'symbol' | 'invalid' | 'end';

export interface Token {
  kind: TokenKind;
  text: string;
  /** 1-based position in the rule text. */
  column: number;
}

// Words are read wider than metric names allow, so "Faith" is one token the parser can name in its error.
const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;
// The exponent is taken only with its digits: in "1ex" the number is "1" and "ex" is what is wrong.
const NUMBER = /(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const WHITESPACE = /\s+/y;
// Two-character symbols first, so ">=" is not read as ">" then "=".
const SYMBOLS = ['>=', '<=', '==', '!=', '>', '<', '(', ')', ',', '+', '-'];

function matchAt(pattern: RegExp, source: string, index: number): string | undefined {
  pattern.lastIndex = index;
  return pattern.exec(source)?.[0];
}

function tokenAt(source: string, index: number): Token {
  const column = index + 1;
  const word = matchAt(WORD, source, index);
  if (word !== undefined) return { kind: 'word', text: word, column };
  const number = matchAt(NUMBER, source, index);
  if (number !== undefined) return { kind: 'number', text: number, column };
  const symbol = SYMBOLS.find((candidate) => source.startsWith(candidate, index));
  if (symbol !== undefined) return { kind: 'symbol', text: symbol, column };
  // Whole code point, so an emoji is shown as itself rather than half a surrogate pair.
  return { kind: 'invalid', text: String.fromCodePoint(source.codePointAt(index) ?? 0), column };
}

/** Splits a rule into tokens, always ending with an `end` token one column past the text. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < source.length) {
    const blank = matchAt(WHITESPACE, source, index);
    if (blank !== undefined) {
      index += blank.length;
      continue;
    }
    const token = tokenAt(source, index);
    tokens.push(token);
    index += token.text.length;
  }
  tokens.push({ kind: 'end', text: '', column: source.length + 1 });
  return tokens;
}
