import type { CliIo } from '../../src/io.js';

/** Captured output and a chosen environment for runCli. */
export function fakeIo(
  env: Record<string, string> = {},
  stdin: string[] = [],
): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: {
      write: (text: string) => {
        out += text;
        return true;
      },
      isTTY: false,
    },
    stderr: {
      write: (text: string) => {
        err += text;
        return true;
      },
      isTTY: false,
    },
    stdin: (async function* () {
      yield* stdin;
    })(),
    env,
    cwd: process.cwd(),
    out: () => out,
    err: () => err,
  };
}
