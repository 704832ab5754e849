import { CONNECTION_OPTIONS } from '../args.js';
import { didYouMean } from '../did-you-mean.js';
import { CliError } from '../errors.js';
import type { CliIo } from '../io.js';
import { MemoryApi } from '../api/memory-api.js';
import { renderTable, type Column } from '../output/table.js';
import { withSession, type Session, type SessionDeps } from '../session.js';
import type { FactView } from '@evalvault/service-apis';

/** What the `evalvault memory` subcommands share: options, the session, value checks and page output. */
export const JSON_OUTPUT = { ...CONNECTION_OPTIONS, json: { type: 'boolean' } } as const;

export const inMemory = <T>(
  values: object,
  io: CliIo,
  deps: SessionDeps,
  work: (memory: MemoryApi, session: Session) => Promise<T>,
) => withSession(values, io, deps, (session) => work(new MemoryApi(session.client, session.project), session));

/** `staff · connect with · the GlobalGate VPN client`: a fact as one line. */
export const tripleText = (fact: Pick<FactView, 'subject' | 'predicate' | 'object'>): string =>
  `${fact.subject} · ${fact.predicate} · ${fact.object}`;

export const plural = (count: number, noun: string, nouns = `${noun}s`): string =>
  `${count} ${count === 1 ? noun : nouns}`;

export function oneOf<T extends string>(
  option: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new CliError(
    'usage',
    `--${option} must be one of ${allowed.join(', ')}, got "${value}"${didYouMean(value, allowed)}`,
  );
}

export function unitOption(option: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number < 0 || number > 1)
    throw new CliError('usage', `--${option} must be a number from 0 to 1, got "${value}"`);
  return number;
}

export function limitOption(value: string | undefined): number {
  const limit = Number(value ?? 20);
  if (!Number.isInteger(limit) || limit < 1 || limit > 200)
    throw new CliError('usage', `--limit must be a whole number from 1 to 200, got "${value}"`);
  return limit;
}

/** A page as JSON (`--json`), or as a table (when not empty) and a count line, e.g. `3 facts matching "vpn"`. */
export function writePage<T>(
  io: CliIo,
  json: boolean | undefined,
  page: { items: readonly T[] },
  view: { noun: string; suffix?: string; columns: readonly Column[]; row: (item: T) => string[] },
): number {
  if (json) {
    io.stdout.write(`${JSON.stringify(page, null, 2)}\n`);
    return 0;
  }
  if (page.items.length > 0) io.stdout.write(`${renderTable(view.columns, page.items.map(view.row))}\n`);
  const count = page.items.length === 0 ? `no ${view.noun}s` : plural(page.items.length, view.noun);
  io.stdout.write(`${count}${view.suffix ?? ''}\n`);
  return 0;
}
