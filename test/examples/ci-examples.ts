import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export const CI_DIRECTORY = join(import.meta.dirname, '..', '..', 'examples', 'ci');

export interface GitLabJob {
  stage?: string;
  script: string[];
  variables?: Record<string, string>;
  retry?: { max?: number; exit_codes?: number[] | number; when?: string[] | string };
  artifacts?: { when?: string; paths?: string[]; reports?: { junit?: string | string[] } };
  [keyword: string]: unknown;
}

export interface ArgoTemplate {
  name: string;
  retryStrategy?: { limit?: string | number; expression?: string };
  container?: { name?: string; image: string; workingDir?: string; args?: string[]; env?: { name: string }[] };
  outputs?: { artifacts?: { name: string; path: string }[] };
  [field: string]: unknown;
}

export interface ArgoWorkflow {
  apiVersion: string;
  kind: string;
  metadata: Record<string, unknown>;
  spec: {
    entrypoint: string;
    arguments?: { parameters?: { name: string; value?: string }[] };
    templates: ArgoTemplate[];
    [field: string]: unknown;
  };
}

export const gitlabPipeline = (): Record<string, unknown> =>
  parse(readFileSync(join(CI_DIRECTORY, 'gitlab-ci.yml'), 'utf8')) as Record<string, unknown>;

export const argoWorkflow = (): ArgoWorkflow =>
  parse(readFileSync(join(CI_DIRECTORY, 'argo-workflow.yaml'), 'utf8')) as ArgoWorkflow;

/** The `evalvault run …` line of the GitLab job, as its shell sees it (GitLab expands the variables). */
export function gitlabCommand(): string {
  const job = gitlabPipeline()['evalvault'] as GitLabJob;
  const line = job.script.find((item) => item.includes('npx evalvault run'));
  if (!line) throw new Error('examples/ci/gitlab-ci.yml: the evalvault job runs no "npx evalvault run"');
  return line.trim();
}

/** The `evalvault run …` part of the Argo container's command, with the workflow's variables filled in. */
export function argoCommand(
  parameters: Record<string, string>,
  workflow = { name: 'evalvault-x', uid: 'uid' },
): string {
  const spec = argoWorkflow().spec;
  const script = spec.templates.find((template) => template.name === spec.entrypoint)?.container?.args?.[0] ?? '';
  const at = script.indexOf('npx evalvault run');
  if (at < 0) throw new Error('examples/ci/argo-workflow.yaml: the entrypoint runs no "npx evalvault run"');
  const defaults = Object.fromEntries((spec.arguments?.parameters ?? []).map(({ name, value }) => [name, value]));
  const values: Record<string, string | undefined> = { ...defaults, ...parameters };
  return script
    .slice(at)
    .trim()
    .replace(/\{\{workflow\.(name|uid)\}\}/g, (_, key: 'name' | 'uid') => workflow[key])
    .replace(/\{\{workflow\.parameters\.([\w-]+)\}\}/g, (_, name: string) => {
      const value = values[name];
      if (value === undefined) throw new Error(`argo-workflow.yaml: no value for parameter ${name}`);
      return value;
    });
}

/** `--flag value` of a command line (quotes removed). */
export function optionOf(command: string, flag: string): string | undefined {
  const match = new RegExp(`${flag}\\s+("[^"]*"|\\S+)`).exec(command);
  return match?.[1]?.replace(/^"|"$/g, '');
}

/**
 * Runs an example's command line as its job would (bash, the job's variables, the reports written in the job's
 * own directory, `npx evalvault` being the built CLI) in `checkout`, where examples/ is linked in.
 */
export async function runCiCommand(
  command: string,
  checkout: string,
  env: Record<string, string>,
): Promise<{ code: number | null; suites: string | null }> {
  const root = join(import.meta.dirname, '..', '..');
  mkdirSync(checkout, { recursive: true });
  symlinkSync(join(root, 'examples'), join(checkout, 'examples'));
  const cli = join(root, 'apps', 'cli', 'bin', 'evalvault.js');
  const script = command.replace(/^npx evalvault /, `"${process.execPath}" "${cli}" `);
  const code = await new Promise<number | null>((resolve) => {
    const child = execFile('bash', ['-c', script], {
      cwd: checkout,
      env: { PATH: process.env['PATH'] ?? '', HOME: checkout, ...env },
    });
    child.once('exit', resolve);
  });
  const report = join(checkout, 'reports', 'evalvault.xml');
  const junit = existsSync(report) ? readFileSync(report, 'utf8') : '';
  return { code, suites: /<testsuites [^>]*>/.exec(junit)?.[0] ?? null };
}
