import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { MemoryPolicyView, SetMemoryPolicyRequest } from '@evalvault/service-apis';
import type { MemoryImportBody } from '../api/api-types.js';
import { CONNECTION_OPTIONS, parseCommand } from '../args.js';
import { CliError } from '../errors.js';
import { showHelp } from '../help.js';
import type { CliIo } from '../io.js';
import { renderTable } from '../output/table.js';
import type { SessionDeps } from '../session.js';
import { inMemory, JSON_OUTPUT, plural } from './memory-shared.js';

/** `evalvault memory policy|export|import`: the project's memory policy and its knowledge as triples. */
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
export async function policy(argv: string[], io: CliIo, deps: SessionDeps): Promise<number> {
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
export async function exportMemory(argv: string[], io: CliIo, deps: SessionDeps): Promise<number> {
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
export async function importMemory(argv: string[], io: CliIo, deps: SessionDeps): Promise<number> {
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
