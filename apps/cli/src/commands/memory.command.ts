import { didYouMean } from '../did-you-mean.js';
import { CliError } from '../errors.js';
import { showHelp } from '../help.js';
import type { CliIo } from '../io.js';
import type { SessionDeps } from '../session.js';
import { forget, reject, search, show, verify } from './memory-facts.command.js';
import { behaviours, insights, learnings } from './memory-learning.command.js';
import { exportMemory, importMemory, policy } from './memory-policy.command.js';

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
