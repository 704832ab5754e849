import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  FACT_KINDS,
  FACT_STATUSES,
  type FactView,
  type MemoryPolicyView,
  type SearchFactsQuery,
  type SetMemoryPolicyRequest,
} from '@evalvault/service-apis';
import type { MemoryImportBody } from '../api/api-types.js';
import { MemoryApi } from '../api/memory-api.js';
import { CONNECTION_OPTIONS, parseCommand } from '../args.js';
import { didYouMean } from '../did-you-mean.js';
import { CliError } from '../errors.js';
import { showHelp } from '../help.js';
import type { CliIo } from '../io.js';
import { renderTable, score, signed, type Column } from '../output/table.js';
import { withSession, type Session, type SessionDeps } from '../session.js';

const SUBCOMMANDS = [
  'search',
  'show',
  'verify',
  'reject',
  'forget',
  'behaviours',
  'learnings',
  'insights',
  'policy',
  'export',
  'import',
] as const;
const JSON_OUTPUT = { ...CONNECTION_OPTIONS, json: { type: 'boolean' } } as const;

/** `evalvault memory search|show|verify|reject|forget|policy|export|import`: the project's Domain Memory. */
export async function memoryCommand(argv: string[], io: CliIo, deps: SessionDeps): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'search':
      return search(rest, io, deps);
    case 'show':
      return show(rest, io, deps);
    case 'verify':
      return verify(rest, io, deps);
    case 'reject':
      return reject(rest, io, deps);
    case 'forget':
      return forget(rest, io, deps);
    case 'behaviours':
      return behaviours(rest, io, deps);
    case 'learnings':
      return learnings(rest, io, deps);
    case 'insights':
      return insights(rest, io, deps);
    case 'policy':
      return policy(rest, io, deps);
    case 'export':
      return exportMemory(rest, io, deps);
    case 'import':
      return importMemory(rest, io, deps);
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      return showHelp(io, 'memory');
    default:
      throw new CliError(
        'usage',
        `memory: unknown command "${sub}"${didYouMean(sub, SUBCOMMANDS)} (${SUBCOMMANDS.join(', ')})`,
      );
  }
}

const inMemory = <T>(
  values: object,
  io: CliIo,
  deps: SessionDeps,
  work: (memory: MemoryApi, session: Session) => Promise<T>,
) => withSession(values, io, deps, (session) => work(new MemoryApi(session.client, session.project), session));

/** `staff · connect with · the GlobalGate VPN client`: a fact as one line. */
export const tripleText = (fact: Pick<FactView, 'subject' | 'predicate' | 'object'>): string =>
  `${fact.subject} · ${fact.predicate} · ${fact.object}`;

const plural = (count: number, noun: string, nouns = `${noun}s`): string => `${count} ${count === 1 ? noun : nouns}`;

function oneOf<T extends string>(option: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new CliError(
    'usage',
    `--${option} must be one of ${allowed.join(', ')}, got "${value}"${didYouMean(value, allowed)}`,
  );
}

function unitOption(option: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number < 0 || number > 1)
    throw new CliError('usage', `--${option} must be a number from 0 to 1, got "${value}"`);
  return number;
}

function limitOption(value: string | undefined): number {
  const limit = Number(value ?? 20);
  if (!Number.isInteger(limit) || limit < 1 || limit > 200)
    throw new CliError('usage', `--limit must be a whole number from 1 to 200, got "${value}"`);
  return limit;
}

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
async function search(argv: string[], io: CliIo, deps: SessionDeps): Promise<number> {
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

/** A page as JSON (`--json`), or as a table (when not empty) and a count line, e.g. `3 facts matching "vpn"`. */
function writePage<T>(
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

async function show(argv: string[], io: CliIo, deps: SessionDeps): Promise<number> {
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
async function verify(argv: string[], io: CliIo, deps: SessionDeps): Promise<number> {
  const { values, positionals, help } = parseCommand('memory verify', argv, REVIEW_OPTIONS, ['factId']);
  if (help) return showHelp(io, 'memory');
  return inMemory(values, io, deps, async (memory) => {
    const fact = await memory.verify(positionals[0]!, values.reason);
    io.stdout.write(values.json ? `${JSON.stringify(fact, null, 2)}\n` : reviewed(fact, 'verified'));
    return 0;
  });
}

async function reject(argv: string[], io: CliIo, deps: SessionDeps): Promise<number> {
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
async function forget(argv: string[], io: CliIo, deps: SessionDeps): Promise<number> {
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

const BEHAVIOUR_OPTIONS = { ...JSON_OUTPUT, 'min-score': { type: 'string' }, limit: { type: 'string' } } as const;

/** What worked: triggers, action recipes and their success rates, best first. */
async function behaviours(argv: string[], io: CliIo, deps: SessionDeps): Promise<number> {
  const { values, positionals, help } = parseCommand('memory behaviours', argv, BEHAVIOUR_OPTIONS, [], ['query']);
  if (help) return showHelp(io, 'memory');
  const query = {
    ...(positionals[0] ? { q: positionals[0] } : {}),
    minScore: unitOption('min-score', values['min-score']),
    limit: limitOption(values.limit),
  };
  return inMemory(values, io, deps, async (memory) => {
    const page = await memory.searchBehaviours(query);
    return writePage(io, values.json, page, {
      noun: 'behaviour',
      columns: [
        { header: 'trigger' },
        { header: 'success', align: 'right' },
        { header: 'uses', align: 'right' },
        { header: 'action' },
      ],
      row: (b) => [b.trigger, score(b.successRate), String(b.useCount), b.action],
    });
  });
}

const LEARNING_OPTIONS = { ...JSON_OUTPUT, dataset: { type: 'string' }, metric: { type: 'string' } } as const;

/** Baselines per dataset and metric, with the failure patterns that recur. */
async function learnings(argv: string[], io: CliIo, deps: SessionDeps): Promise<number> {
  const { values, help } = parseCommand('memory learnings', argv, LEARNING_OPTIONS, []);
  if (help) return showHelp(io, 'memory');
  const query = { dataset: values.dataset, metric: values.metric, limit: 200 };
  return inMemory(values, io, deps, async (memory) => {
    const page = await memory.learnings(query);
    return writePage(io, values.json, page, {
      noun: 'learning',
      columns: [
        { header: 'dataset' },
        { header: 'metric' },
        { header: 'runs', align: 'right' },
        { header: 'mean', align: 'right' },
        { header: 'p10', align: 'right' },
        { header: 'pass rate', align: 'right' },
        { header: 'recurring failures' },
      ],
      row: (l) => [
        l.datasetKey,
        l.metric,
        String(l.baseline.count),
        score(l.baseline.mean),
        score(l.baseline.p10),
        score(l.baseline.passRate),
        l.failurePatterns.map((p) => `${p.dimension}=${p.value} ×${p.count}`).join(', ') || '-',
      ],
    });
  });
}

/** A run against what memory learned: per-metric trends, failure patterns it repeats. */
async function insights(argv: string[], io: CliIo, deps: SessionDeps): Promise<number> {
  const { values, positionals, help } = parseCommand('memory insights', argv, JSON_OUTPUT, ['runId']);
  if (help) return showHelp(io, 'memory');
  return inMemory(values, io, deps, async (memory) => {
    const view = await memory.insights(positionals[0]!);
    if (values.json) {
      io.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
      return 0;
    }
    const trends = renderTable(
      [
        { header: 'metric' },
        { header: 'mean', align: 'right' },
        { header: 'baseline', align: 'right' },
        { header: 'delta', align: 'right' },
        { header: 'trend' },
      ],
      view.trends.map((t) => [t.metric, score(t.mean), score(t.baselineMean), signed(t.delta), t.direction]),
    );
    const repeated = view.repeatedFailurePatterns.map((p) => `${p.dimension}=${p.value} (${plural(p.count, 'time')})`);
    io.stdout.write(
      `run ${view.runId} against dataset ${view.datasetKey ?? '-'}'s learned baselines\n${trends}\n` +
        `repeated failure patterns: ${repeated.length > 0 ? repeated.join(', ') : 'none'}\n`,
    );
    return 0;
  });
}

/** `decay.factor  0.95`: the policy as one setting a line. */
function renderPolicy(view: MemoryPolicyView): string {
  const rows: string[][] = [];
  const walk = (value: unknown, path: string): void => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value))
      for (const [key, inner] of Object.entries(value)) walk(inner, path ? `${path}.${key}` : key);
    else rows.push([path, JSON.stringify(value)]);
  };
  walk(view.policy, '');
  const version = view.version === 0 ? 'version 0 (the defaults, never set)' : `version ${view.version}`;
  return `memory policy of project ${view.projectId}: ${version}\n${renderTable(
    [{ header: 'setting' }, { header: 'value' }],
    rows,
  )}\n`;
}

async function readJson(file: string, io: CliIo): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(resolve(io.cwd, file), 'utf8');
  } catch (error) {
    throw new CliError('usage', `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError('usage', `${file} is not JSON: ${(error as Error).message}`);
  }
}

const POLICY_OPTIONS = { ...JSON_OUTPUT, set: { type: 'string' }, reason: { type: 'string' } } as const;

/** Shows the project's memory policy; `--set FILE` replaces it (admin), sections left out taking their defaults. */
async function policy(argv: string[], io: CliIo, deps: SessionDeps): Promise<number> {
  const { values, help } = parseCommand('memory policy', argv, POLICY_OPTIONS, []);
  if (help) return showHelp(io, 'memory');
  if (values.reason !== undefined && values.set === undefined)
    throw new CliError('usage', 'memory policy: --reason goes with --set FILE');
  let replacement: SetMemoryPolicyRequest | null = null;
  if (values.set !== undefined) {
    const parsed = await readJson(values.set, io);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new CliError('usage', `${values.set} must hold a JSON object (the memory policy)`);
    replacement = { ...(parsed as SetMemoryPolicyRequest), ...(values.reason ? { reason: values.reason } : {}) };
  }
  return inMemory(values, io, deps, async (memory) => {
    const view = replacement ? await memory.setPolicy(replacement) : await memory.policy();
    io.stdout.write(values.json ? `${JSON.stringify(view, null, 2)}\n` : renderPolicy(view));
    return 0;
  });
}

const EXPORT_OPTIONS = { ...CONNECTION_OPTIONS, output: { type: 'string', short: 'o' } } as const;

/** The project's knowledge graph as plain triples JSON, to stdout or a file. */
async function exportMemory(argv: string[], io: CliIo, deps: SessionDeps): Promise<number> {
  const { values, help } = parseCommand('memory export', argv, EXPORT_OPTIONS, []);
  if (help) return showHelp(io, 'memory');
  return inMemory(values, io, deps, async (memory) => {
    const exported = await memory.export();
    const text = `${JSON.stringify(exported, null, 2)}\n`;
    if (values.output === undefined) {
      io.stdout.write(text);
      return 0;
    }
    await writeFile(resolve(io.cwd, values.output), text);
    io.stdout.write(`exported ${plural(exported.facts.length, 'fact')} to ${values.output}\n`);
    return 0;
  });
}

/** Triples in the export format (or a bare array of them): new ones proposed for review, known ones supported. */
async function importMemory(argv: string[], io: CliIo, deps: SessionDeps): Promise<number> {
  const { values, positionals, help } = parseCommand('memory import', argv, JSON_OUTPUT, ['file']);
  if (help) return showHelp(io, 'memory');
  const parsed = await readJson(positionals[0]!, io);
  const request = (Array.isArray(parsed) ? { facts: parsed } : parsed) as MemoryImportBody;
  if (!request || typeof request !== 'object' || !Array.isArray(request.facts))
    throw new CliError('usage', `${positionals[0]} must hold {"facts": [...]} (as "memory export" writes) or an array`);
  return inMemory(values, io, deps, async (memory) => {
    const result = await memory.import(request);
    io.stdout.write(
      values.json
        ? `${JSON.stringify(result, null, 2)}\n`
        : `imported ${plural(request.facts.length, 'triple')}: ${result.proposed} proposed for review, ` +
            `${result.supported} supporting facts already known\n`,
    );
    return 0;
  });
}
