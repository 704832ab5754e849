import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const repositoryRoot = join(import.meta.dirname, '..', '..');
export const clientDirectory = join(repositoryRoot, 'clients', 'python');

/** Debian's interpreter, whose dist-packages hold python3-pydantic & co.; a pyenv python3 first on PATH has none. */
export const SYSTEM_PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

const DEBIAN_PACKAGES =
  'python3-pydantic python3-urllib3 python3-dateutil python3-pip python3-setuptools python3-wheel';

/** Runs the system python; a missing runtime dependency fails naming the Debian packages that bring it. */
export async function python(
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<{ stdout: string; stderr: string }> {
  try {
    return await promisify(execFile)(SYSTEM_PYTHON, args, {
      cwd: options.cwd ?? repositoryRoot,
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...options.env },
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    const missing = /No module named '?([\w.]+)/.exec(stderr)?.[1];
    const hint = missing ? `\n${SYSTEM_PYTHON} lacks ${missing}: apt-get install ${DEBIAN_PACKAGES}` : '';
    throw new Error(`${SYSTEM_PYTHON} ${args.join(' ')} failed${hint}\n${stderr}\n${stdout}`, { cause: error });
  }
}
