import Assembler from 'stream-json/core/assembler.js';
import type { Token } from 'stream-json/core/parser.js';
import { DatasetError, type HeaderRow } from './dataset-row.js';
import { HEADER_FIELDS, setHeaderField } from './json-header.js';

export type WalkEvent = { type: 'case'; value: unknown; line: number } | { type: 'header'; header: HeaderRow };

type Step = 'root' | 'key' | 'casesStart' | 'cases' | 'item' | 'headerValue' | 'end';

/** The array of cases: `test_cases` in files, `cases` as in the REST API's dataset body; a dataset has one. */
const CASES_KEYS = new Set(['test_cases', 'cases']);

/**
 * Follows the token stream of `{name, version, description, thresholds, test_cases: [...]}` (or
 * `cases: [...]`, so a body sent to the REST API reads as a file too), assembling
 * one test case (or header value) at a time, so memory holds a single case. Header fields
 * may come on either side of test_cases: those seen before it are announced when it opens,
 * and if more arrive after it a complete header is announced again at the end, so the last
 * header event is always the whole header.
 */
export class DatasetWalker {
  private step: Step = 'root';
  private assembler = new Assembler();
  private key = '';
  private valueLine = 0;
  private readonly seenKeys = new Set<string>();
  private casesKey: string | null = null;
  private readonly header: HeaderRow = { kind: 'header' };
  private headerChangedAfterCases = false;

  /** Feeds one token, seen on `line`; returns what it completed, if anything. */
  take(token: Token, line: number): WalkEvent | null {
    switch (this.step) {
      case 'root':
        if (token.name !== 'startObject')
          fail(`a JSON dataset must be an object with a test_cases (or cases) array, got ${kind(token)}`, line);
        this.step = 'key';
        return null;
      case 'key':
        return this.onKey(token, line);
      case 'casesStart':
        if (token.name !== 'startArray') fail(`${this.casesKey} must be an array, got ${kind(token)}`, line);
        this.step = 'cases';
        return null;
      case 'cases':
        if (token.name === 'endArray') {
          this.step = 'key';
          return null;
        }
        this.startValue('item', line);
        return this.onValue(token);
      case 'item':
      case 'headerValue':
        return this.onValue(token);
      case 'end':
        return null; // the parser itself rejects anything after the root object
    }
  }

  /** Whether a case or header value is being assembled (its tokens are held until it closes). */
  get assembling(): boolean {
    return this.step === 'item' || this.step === 'headerValue';
  }

  /** The line the value being assembled started on. */
  get valueStartLine(): number {
    return this.valueLine;
  }

  /** Called at the end of the input: a dataset cut short must not pass for a smaller one. */
  finish(line: number): void {
    if (this.step === 'root') fail('the file holds no JSON object', line);
    if (this.step !== 'end') fail('the JSON ends before the dataset object is closed (truncated file?)', line);
  }

  private onKey(token: Token, line: number): WalkEvent | null {
    if (token.name === 'endObject') {
      if (this.casesKey === null) fail('the dataset has no test_cases (or cases) array', line);
      this.step = 'end';
      return this.headerChangedAfterCases ? this.headerEvent() : null;
    }
    if (token.name !== 'keyValue') fail(`unexpected ${kind(token)} in the dataset object`, line);
    const key = token.value;
    if (this.seenKeys.has(key)) fail(`the dataset field ${key} appears twice`, line);
    this.seenKeys.add(key);
    if (CASES_KEYS.has(key)) {
      if (this.casesKey !== null) fail(`the dataset has both ${this.casesKey} and ${key}: keep one`, line);
      this.casesKey = key;
      this.step = 'casesStart';
      return Object.keys(this.header).length > 1 ? this.headerEvent() : null;
    }
    if (!HEADER_FIELDS.has(key))
      fail(`unknown dataset field ${key} (allowed: ${[...HEADER_FIELDS].join(', ')}, test_cases or cases)`, line);
    this.key = key;
    this.startValue('headerValue', line);
    return null;
  }

  private startValue(step: 'item' | 'headerValue', line: number): void {
    this.step = step;
    this.assembler = new Assembler();
    this.valueLine = line;
  }

  private onValue(token: Token): WalkEvent | null {
    this.assembler.consume(token);
    if (!this.assembler.done) return null;
    const value: unknown = this.assembler.current;
    if (this.step === 'item') {
      this.step = 'cases';
      return { type: 'case', value, line: this.valueLine };
    }
    setHeaderField(this.header, this.key, value, this.valueLine);
    this.headerChangedAfterCases = this.casesKey !== null;
    this.step = 'key';
    return null;
  }

  private headerEvent(): WalkEvent {
    return { type: 'header', header: { ...this.header } };
  }
}

function fail(detail: string, line: number): never {
  throw new DatasetError('UNREADABLE_DATASET', detail, line);
}

/** A token's value kind, in the words of the JSON text. */
function kind(token: Token): string {
  const kinds: Partial<Record<Token['name'], string>> = {
    startObject: 'an object',
    startArray: 'an array',
    stringValue: 'a string',
    numberValue: 'a number',
    nullValue: 'null',
    trueValue: 'a boolean',
    falseValue: 'a boolean',
    keyValue: 'a key',
    endArray: 'end of array',
  };
  return kinds[token.name] ?? token.name;
}
