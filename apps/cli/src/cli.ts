import { readFileSync } from 'node:fs';
import { datasetsCommand } from './commands/datasets.command.js';
import { loginCommand, logoutCommand } from './commands/login.command.js';
import { memoryCommand } from './commands/memory.command.js';
import { pluginsCommand } from './commands/plugins.command.js';
import { reportCommand } from './commands/report.command.js';
import { runCommand } from './commands/run.command.js';
import { runsCommand } from './commands/runs.command.js';
import { schedulesCommand } from './commands/schedules.command.js';
import { didYouMean } from './did-you-mean.js';
import { CliError } from './errors.js';
import { EXIT_ERROR } from './exit-codes.js';
import { HELP, showHelp } from './help.js';
import type { CliIo } from './io.js';
import type { SessionDeps } from './session.js';

function version(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}

const COMMANDS = ['run', 'runs', 'report', 'datasets', 'schedules', 'memory', 'plugins', 'login', 'logout'];

async function dispatch(argv: string[], io: CliIo, deps: SessionDeps): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'run':
      return runCommand(rest, io, deps);
    case 'runs':
      return runsCommand(rest, io, deps);
    case 'report':
      return reportCommand(rest, io, deps);
    case 'datasets':
      return datasetsCommand(rest, io, deps);
    case 'memory':
      return memoryCommand(rest, io, deps);
    case 'schedules':
      return schedulesCommand(rest, io, deps);
    case 'plugins':
      return pluginsCommand(rest, io);
    case 'login':
      return loginCommand(rest, io);
    case 'logout':
      return logoutCommand(rest, io);
    case '--version':
    case '-v':
    case 'version':
      io.stdout.write(`evalvault ${version()}\n`);
      return 0;
    case undefined:
      // A bare `evalvault` did nothing it was asked to: the usage, where errors go, and exit 2.
      io.stderr.write(HELP['main']!);
      return EXIT_ERROR;
    case 'help':
    case '--help':
    case '-h':
      return showHelp(io, rest[0] ?? 'main');
    default:
      throw new CliError(
        'usage',
        `unknown command "${command}"${didYouMean(command, COMMANDS)} (${COMMANDS.join(', ')}; see "evalvault --help")`,
      );
  }
}

/**
 * The whole command line: runs one command and answers its exit code (see exit-codes.ts).
 * Any failure ends as exit 2 with its details, then one line saying why.
 */
export async function runCli(argv: string[], io: CliIo, deps: SessionDeps): Promise<number> {
  try {
    return await dispatch(argv, io, deps);
  } catch (error) {
    if (error instanceof CliError) {
      for (const detail of error.details) io.stderr.write(`${detail}\n`);
      io.stderr.write(`evalvault: error: ${error.message}\n`);
    } else {
      io.stderr.write(`evalvault: internal error: ${(error as Error)?.stack ?? String(error)}\n`);
    }
    return EXIT_ERROR;
  }
}
