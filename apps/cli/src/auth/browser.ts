import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Environment } from '../io.js';

/**
 * The command that opens a URL: $EVALVAULT_BROWSER or $BROWSER (a command line; the URL is
 * appended), else `open` on macOS, `xdg-open` where it is installed. Null: print the URL only.
 */
export function browserCommand(env: Environment, platform: NodeJS.Platform = process.platform): string[] | null {
  const chosen = env['EVALVAULT_BROWSER'] ?? env['BROWSER'];
  if (chosen !== undefined) return chosen.trim() === '' || chosen === 'none' ? null : chosen.trim().split(/\s+/);
  if (platform === 'darwin') return ['open'];
  if (platform === 'win32') return ['explorer.exe'];
  const found = (env['PATH'] ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, 'xdg-open')));
  return found ? ['xdg-open'] : null;
}

/** Starts the browser without waiting for it; false when it could not be started. */
export function openInBrowser(command: string[], url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const [program, ...args] = command;
    const child = spawn(program!, [...args, url], { stdio: 'ignore', detached: true });
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
}
