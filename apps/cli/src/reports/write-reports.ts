import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { CaseView, RunView } from '@evalvault/service-apis';
import { CliError } from '../errors.js';
import { renderJunit } from './junit-report.js';
import { renderMarkdown } from './markdown-report.js';
import type { MemoryReport } from './memory-report.js';

export interface ReportFiles {
  junit?: string;
  json?: string;
  markdown?: string;
}

export const wantsReports = (files: ReportFiles): boolean => Boolean(files.junit || files.json || files.markdown);

/**
 * The JSON report: the run view as the API shows it, every case with its scores and, for a run
 * that used Domain Memory, `memory`: its insights (`available: true`) or why there are none.
 */
export function renderJson(view: RunView, cases: readonly CaseView[], memory: MemoryReport | null = null): string {
  return `${JSON.stringify({ run: view, cases, ...(memory ? { memory } : {}) }, null, 2)}\n`;
}

export async function writeReports(
  files: ReportFiles,
  view: RunView,
  cases: readonly CaseView[],
  memory: MemoryReport | null = null,
): Promise<string[]> {
  const written: string[] = [];
  const renderers: Array<[string | undefined, () => string]> = [
    [files.junit, () => renderJunit(view, cases, memory)],
    [files.json, () => renderJson(view, cases, memory)],
    [files.markdown, () => renderMarkdown(view, cases, memory)],
  ];
  for (const [path, render] of renderers) {
    if (!path) continue;
    try {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, render());
    } catch (error) {
      throw new CliError('config', `cannot write report ${path}: ${(error as Error).message}`);
    }
    written.push(path);
  }
  return written;
}
