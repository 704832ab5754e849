import { runCli } from './cli.js';
import { importEmbeddedModule } from './embedded/embedded-platform.js';

// The process edge: real streams and environment in, an exit code out.
const code = await runCli(
  process.argv.slice(2),
  {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
  },
  { loadEmbedded: importEmbeddedModule },
);
// Exit now: an embedded platform or a kept-alive socket must not hold the process open. Writes to
// pipes and files are synchronous on POSIX, so nothing printed is lost.
process.exit(code);
