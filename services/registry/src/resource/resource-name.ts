import { invalidInput } from './resource.errors.js';

const MAX_NAME_LENGTH = 200;

/** A resource's name as given, checked: what the registry derives its id from, so it must be exact and plain. */
export function checkedName(name: unknown, field = 'name'): string {
  if (typeof name !== 'string' || name.trim() === '') throw invalidInput(`${field}: a non-empty string is required`);
  if (name.length > MAX_NAME_LENGTH) throw invalidInput(`${field}: at most ${MAX_NAME_LENGTH} characters`);
  if (name !== name.trim()) throw invalidInput(`${field}: no leading or trailing spaces`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) throw invalidInput(`${field}: no control characters`);
  return name;
}

export function checkedOptionalText(value: unknown, field: string, maxLength: number): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw invalidInput(`${field}: must be a string`);
  if (value.length > maxLength) throw invalidInput(`${field}: at most ${maxLength} characters`);
  return value;
}
