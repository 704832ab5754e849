import { createHash } from 'node:crypto';

/**
 * One text per JSON value, so that equal content hashes equally however it was written:
 * object keys sorted (by UTF-16 code units, as RFC 8785 does), no whitespace, numbers and
 * strings as JSON.stringify prints them (shortest round-trip form, -0 as 0). Values JSON
 * cannot carry (undefined, functions, NaN, Infinity, bigint) are refused, never dropped.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`${value} cannot be represented in JSON`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isPlainObject(value)) {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`);
    return `{${entries.join(',')}}`;
  }
  const kind = typeof value === 'object' ? ((value as object).constructor?.name ?? 'object') : typeof value;
  throw new TypeError(`a ${kind} cannot be represented in JSON`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

export function sha256Hex(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The content hash of a value: sha256 of its canonical JSON text (UTF-8). */
export function hashOfCanonical(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}
