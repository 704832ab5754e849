import { FACT_KINDS, FACT_STATUSES, type FactView, type SearchFactsQuery } from '@evalvault/service-apis';
import { parseCommand } from '../args.js';
import { CliError } from '../errors.js';
import { showHelp } from '../help.js';
import type { CliIo } from '../io.js';
import { score } from '../output/table.js';
import type { SessionDeps } from '../session.js';
import {
  inMemory,
  JSON_OUTPUT,
  limitOption,
  oneOf,
  plural,
  tripleText,
  unitOption,
  writePage,
} from './memory-shared.js';

/** `evalvault memory search|show|verify|reject|forget`: the project's facts, their review and deletion. */
const SEARCH_OPTIONS = {
  ...JSON_OUTPUT,
  domain: { type: 'string' },
  kind: { type: 'string' },
  status: { type: 'string' },
  'min-score': { type: 'string' },
  usable: { type: 'boolean' },
  limit: { type: 'string' },
} as const;

/** Full-text search over the project's facts (or the newest, without a query), best first. */
export async function search(argv: string[], io: CliIo, deps: SessionDeps): Promise<number> {
  const { values, positionals, help } = parseCommand('memory search', argv, SEARCH_OPTIONS, [], ['query']);
  if (help) return showHelp(io, 'memory');
  const query: SearchFactsQuery = {
    ...(positionals[0] ? { q: positionals[0] } : {}),
    ...(values.domain ? { domain: values.domain } : {}),
    kind: oneOf('kind', values.kind, FACT_KINDS),
    status: oneOf('status', values.status, FACT_STATUSES),
    minScore: unitOption('min-score', values['min-score']),
    ...(values.usable ? { usable: true } : {}),
    limit: limitOption(values.limit),
  };
  return inMemory(values, io, deps, async (memory) => {
    const page = await memory.searchFacts(query);
    const matching = query.q ? ` matching "${query.q}"` : '';
    const more = page.nextCursor ? ` (more with a larger --limit)` : '';
    return writePage(io, values.json, page, {
      noun: 'fact',
      suffix: `${matching}${more}`,
      columns: [
        { header: 'fact' },
        { header: 'status' },
        { header: 'kind' },
        { header: 'score', align: 'right' },
        { header: 'subject · predicate · object' },
      ],
      row: (fact) => [fact.factId, fact.status, fact.kind, score(fact.verificationScore), tripleText(fact)],
    });
  });
}

function renderFact(fact: FactView): string {
  const sources = fact.sources.map((source) =>
    source.kind === 'case' && source.runId ? `case ${source.id} (run ${source.runId})` : `${source.kind} ${source.id}`,
  );
  return [
    `fact ${fact.factId}`,
    `  ${tripleText(fact)}`,
    `  status ${fact.status}, kind ${fact.kind}, domain ${fact.domain}, language ${fact.language}`,
    `  verification score ${score(fact.verificationScore)}, verified ${plural(fact.verificationCount, 'time')}` +
      `, last ${fact.lastVerifiedAt ?? 'never'}`,
    `  proposed ${fact.proposedAt}`,
    `  sources: ${sources.length > 0 ? sources.join(', ') : 'none'}`,
    `  conflicts with: ${fact.conflictsWith.length > 0 ? fact.conflictsWith.join(', ') : 'none'}`,
    '',
  ].join('\n');
}

export async function show(argv: string[], io: CliIo, deps: SessionDeps): Promise<number> {
  const { values, positionals, help } = parseCommand('memory show', argv, JSON_OUTPUT, ['factId']);
  if (help) return showHelp(io, 'memory');
  return inMemory(values, io, deps, async (memory) => {
    const fact = await memory.getFact(positionals[0]!);
    io.stdout.write(values.json ? `${JSON.stringify(fact, null, 2)}\n` : renderFact(fact));
    return 0;
  });
}

const REVIEW_OPTIONS = { ...JSON_OUTPUT, reason: { type: 'string' } } as const;

const reviewed = (fact: FactView, what: string): string =>
  `fact ${fact.factId} ${what}: ${tripleText(fact)} ` +
  `(verified ${plural(fact.verificationCount, 'time')}, score ${score(fact.verificationScore)})\n`;

/** A reviewer (approver role) confirms a fact: recorded with who, when and why. */
export async function verify(argv: string[], io: CliIo, deps: SessionDeps): Promise<number> {
  const { values, positionals, help } = parseCommand('memory verify', argv, REVIEW_OPTIONS, ['factId']);
  if (help) return showHelp(io, 'memory');
  return inMemory(values, io, deps, async (memory) => {
    const fact = await memory.verify(positionals[0]!, values.reason);
    io.stdout.write(values.json ? `${JSON.stringify(fact, null, 2)}\n` : reviewed(fact, 'verified'));
    return 0;
  });
}

export async function reject(argv: string[], io: CliIo, deps: SessionDeps): Promise<number> {
  const { values, positionals, help } = parseCommand('memory reject', argv, REVIEW_OPTIONS, ['factId']);
  if (help) return showHelp(io, 'memory');
  if (!values.reason?.trim())
    throw new CliError('usage', 'memory reject: --reason is required (say why, for the audit log)');
  return inMemory(values, io, deps, async (memory) => {
    const fact = await memory.reject(positionals[0]!, values.reason!);
    io.stdout.write(values.json ? `${JSON.stringify(fact, null, 2)}\n` : reviewed(fact, 'rejected'));
    return 0;
  });
}

const FORGET_OPTIONS = { ...JSON_OUTPUT, subject: { type: 'string' }, document: { type: 'string' } } as const;

/** A deletion request (admin): every fact and behaviour about a subject, or drawn from a document, gone for good. */
export async function forget(argv: string[], io: CliIo, deps: SessionDeps): Promise<number> {
  const { values, help } = parseCommand('memory forget', argv, FORGET_OPTIONS, []);
  if (help) return showHelp(io, 'memory');
  if ((values.subject === undefined) === (values.document === undefined))
    throw new CliError('usage', 'memory forget: give --subject TEXT or --document ID (one of them)');
  const target = values.subject !== undefined ? 'subject' : 'document';
  const value = (values.subject ?? values.document)!;
  return inMemory(values, io, deps, async (memory) => {
    const result = await memory.forget(target, value);
    io.stdout.write(
      values.json
        ? `${JSON.stringify(result, null, 2)}\n`
        : `deletion ${result.requestId}: ${plural(result.forgotten, 'entry', 'entries')} ` +
            `forgotten for good (${target} "${value}")\n`,
    );
    return 0;
  });
}
