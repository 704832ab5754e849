import { DatasetError, type HeaderRow } from './dataset-row.js';
import { describeValue, isRecord } from './validate-case.js';

export const HEADER_FIELDS = new Set(['name', 'version', 'description', 'thresholds']);

/**
 * Stores one dataset-level field after checking its type. A wrong type fails the whole
 * file: the header governs every case (thresholds feed the gate), so there is no row to
 * mark invalid and carry on from.
 */
export function setHeaderField(header: HeaderRow, key: string, value: unknown, line: number): void {
  if (key === 'name' && typeof value === 'string') header.name = value;
  else if (key === 'description' && typeof value === 'string') header.description = value;
  else if (key === 'version' && (typeof value === 'string' || typeof value === 'number')) header.version = value;
  else if (key === 'thresholds' && isThresholds(value)) header.thresholds = value;
  else throw new DatasetError('UNREADABLE_DATASET', `${key} ${expectation(key)}, got ${describeValue(value)}`, line);
}

function isThresholds(value: unknown): value is Record<string, number> {
  return isRecord(value) && Object.values(value).every((v) => typeof v === 'number' && Number.isFinite(v));
}

function expectation(key: string): string {
  if (key === 'name' || key === 'description') return 'must be a string';
  if (key === 'version') return 'must be a string or a number';
  return 'must be an object of metric names to numbers';
}
