import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repositoryRoot } from './run-cli.js';

export interface DocumentedCommand {
  source: string;
  /** The arguments after `evalvault`. */
  args: string[];
  /** The exit code the documentation states next to the command (`# exit N`), if it states one. */
  expectedExit?: number;
}

/** Every `npx evalvault run …` in a bash block of the README, continuation lines joined. */
export function documentedRunCommands(file = 'README.md'): DocumentedCommand[] {
  const text = readFileSync(join(repositoryRoot, file), 'utf8');
  const commands: DocumentedCommand[] = [];
  for (const block of text.matchAll(/```bash\n([\s\S]*?)```/g)) {
    const joined = block[1]!.replace(/\\\n\s*/g, ' ');
    for (const line of joined.split('\n')) {
      const match = /^npx evalvault (run .*?)\s*(?:#\s*exit (\d))?\s*$/.exec(line.trim());
      if (!match) continue;
      commands.push({
        source: file,
        args: match[1]!.split(/\s+/),
        ...(match[2] ? { expectedExit: Number(match[2]) } : {}),
      });
    }
  }
  return commands;
}

/**
 * The evaluation step of the GitHub Actions example, as its runner would execute it: the
 * folded `run: >` block of the step named Evaluate, with the workflow's expressions replaced
 * by plausible values.
 */
export function ciWorkflowCommand(file = 'examples/ci/github-actions.yml'): DocumentedCommand {
  const text = readFileSync(join(repositoryRoot, file), 'utf8');
  const step = /- name: Evaluate\n\s+run: >\n((?:\s{10,}.*\n)+)/.exec(text);
  if (!step) throw new Error(`${file}: no "Evaluate" step with a folded run block`);
  const line = step[1]!
    .split('\n')
    .map((part) => part.trim())
    .join(' ')
    .replace(/\$\{\{[^}]*run_id[^}]*\}\}/g, `${Date.now()}`)
    .replace(/\$\{\{[^}]*\}\}/g, 'ci-value');
  const match = /^npx evalvault (.*)$/.exec(line.trim());
  if (!match) throw new Error(`${file}: the Evaluate step does not run "npx evalvault": ${line}`);
  return { source: file, args: match[1]!.trim().split(/\s+/), expectedExit: 0 };
}
