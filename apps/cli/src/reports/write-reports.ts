import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { CaseView, RunView } from '@evalvault/service-apis';
import { CliError } from '../errors.js';
import { renderJunit } from './junit-report.js';
import { renderMarkdown } from './markdown-report.js';

export interface ReportFiles {
  junit?: string;
  json?: string;
  markdown?: string;
}

export const wantsReports = (files: ReportFiles): boolean => Boolean(files.junit || files.json || files.markdown);

/** The JSON report: the run view as the API shows it, and every case with its scores. */
export function renderJson(view: RunView, cases: readonly CaseView[]): string {
  return `${JSON.stringify({ run: view, cases }, null, 2)}\n`;
}

export async function writeReports(files: ReportFiles, view: RunView, cases: readonly CaseView[]): Promise<string[]> {
  const written: string[] = [];
  const renderers: Array<[string | undefined, () => string]> = [
    [files.junit, () => renderJunit(view, cases)],
    [files.json, () => renderJson(view, cases)],
    [files.markdown, () => renderMarkdown(view, cases)],
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
