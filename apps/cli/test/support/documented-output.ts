import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repositoryRoot, type CliResult } from './run-cli.js';

/** A command the documentation shows with what it printed. */
export interface SampleOutput {
  /** The arguments after `evalvault`. */
  args: string[];
  expectedExit?: number;
  /** The lines of the output block, as the documentation shows them. */
  lines: string[];
}

/**
 * The sample under a heading of a Markdown file: the first `npx evalvault …` in backticks after
 * it, the exit code stated next to it (`exit N`), and the first fenced block's lines.
 */
export function sampleOutput(file: string, heading: string): SampleOutput {
  const text = readFileSync(join(repositoryRoot, file), 'utf8');
  const at = text.indexOf(`## ${heading}\n`);
  if (at < 0) throw new Error(`${file}: no heading "${heading}"`);
  const section = text.slice(at);
  const command = /`npx evalvault ([^`]+)`/.exec(section);
  const block = /```\n([\s\S]*?)```/.exec(section);
  if (!command || !block) throw new Error(`${file}: "${heading}" shows no command or no output block`);
  const exit = /\(exit (\d)/.exec(section.slice(command.index, block.index));
  return {
    args: command[1]!.trim().split(/\s+/),
    ...(exit ? { expectedExit: Number(exit[1]) } : {}),
    lines: block[1]!.trimEnd().split('\n'),
  };
}

/** What may differ between two runs of a command: run ids, the embedded platform's port, durations. */
const normalised = (line: string): string =>
  line
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<run id>')
    .replace(/http:\/\/127\.0\.0\.1:\d+/g, '<url>')
    .replace(/completed in \d+\.\d s/g, 'completed in <duration>')
    .trimEnd();

/**
 * The documented lines a command did not print, each stream in its order (the documentation
 * interleaves stderr and stdout as a terminal shows them). Progress lines depend on timing and a
 * lone `…` stands for lines left out, so neither is compared.
 */
export function printedLinesMissing(documented: readonly string[], printed: CliResult): string[] {
  const streams = [printed.stdout, printed.stderr].map((text) => text.split('\n').map(normalised));
  const next = streams.map(() => 0);
  const missing: string[] = [];
  for (const line of documented) {
    if (line.trim() === '…' || line.startsWith('progress: ')) continue;
    const wanted = normalised(line);
    const stream = streams.findIndex((lines, index) => lines.indexOf(wanted, next[index]) >= 0);
    if (stream < 0) {
      missing.push(line);
      continue;
    }
    next[stream] = streams[stream]!.indexOf(wanted, next[stream]) + 1;
  }
  return missing;
}
