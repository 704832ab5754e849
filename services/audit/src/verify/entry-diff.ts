import { UNVERIFIABLE } from '../subjects/sealers.js';

export interface FieldDifference {
  /** Dotted path, e.g. `details.reason` or `resources.1.version`. */
  field: string;
  expected: string;
  actual: string;
}

const shown = (value: unknown): string => {
  const text = value === undefined ? 'absent' : JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
};

/**
 * The first field (in key order) where what the log holds differs from what the replay
 * rebuilt. A rebuilt UNVERIFIABLE (a forgotten subject's ciphertext, which needs the
 * destroyed key to rebuild) matches whatever the log holds there.
 */
export function firstDifference(expected: unknown, actual: unknown, path = ''): FieldDifference | null {
  if (expected === UNVERIFIABLE) return null;
  const bothObjects =
    typeof expected === 'object' &&
    expected !== null &&
    typeof actual === 'object' &&
    actual !== null &&
    Array.isArray(expected) === Array.isArray(actual);
  if (!bothObjects) {
    return Object.is(expected, actual)
      ? null
      : { field: path || '(entry)', expected: shown(expected), actual: shown(actual) };
  }
  const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
  for (const key of keys) {
    const difference = firstDifference(
      (expected as Record<string, unknown>)[key],
      (actual as Record<string, unknown>)[key],
      path ? `${path}.${key}` : key,
    );
    if (difference) return difference;
  }
  return null;
}
