import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

/**
 * The embedded platform's data directory: the database, the secrets it generated, and a lock,
 * because two processes opening one PGlite directory would corrupt it.
 */
export class DataDirectory {
  private constructor(
    readonly path: string,
    private readonly lockFile: string,
  ) {}

  /** Creates the directory if needed and takes its lock; refuses if a live process holds it. */
  static open(path: string): DataDirectory {
    mkdirSync(path, { recursive: true, mode: 0o700 });
    const lockFile = join(path, 'evalvault.lock');
    if (existsSync(lockFile)) {
      const holder = Number(readFileSync(lockFile, 'utf8').trim());
      if (Number.isInteger(holder) && holder !== process.pid && isAlive(holder)) {
        throw new Error(
          `data directory ${path} is in use by process ${holder}; ` +
            'stop it or set EVALVAULT_DATA_DIR to another directory',
        );
      }
      rmSync(lockFile, { force: true }); // left by a process that is gone
    }
    const fd = openSync(lockFile, 'wx', 0o600);
    writeFileSync(fd, String(process.pid));
    closeSync(fd);
    return new DataDirectory(path, lockFile);
  }

  /** A secret generated on first use and kept (mode 600) so restarts use the same one. */
  secret(name: string, generate: () => string = () => randomBytes(32).toString('base64url')): string {
    const file = join(privateDirectory(join(this.path, 'secrets')), name);
    if (!existsSync(file)) writeFileSync(file, generate(), { mode: 0o600, flag: 'wx' });
    return readFileSync(file, 'utf8').trim();
  }

  hasSecret(name: string): boolean {
    return existsSync(join(this.path, 'secrets', name));
  }

  secretPath(name: string): string {
    return join(this.path, 'secrets', name);
  }

  release(): void {
    rmSync(this.lockFile, { force: true });
  }
}

/**
 * A directory only this user can enter (0700), made so even when it already existed wider:
 * mkdir's mode applies only to a directory it creates. A symbolic link or another user's
 * directory in its place is refused rather than followed or changed.
 */
export function privateDirectory(path: string): string {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  const stat = lstatSync(path);
  if (!stat.isDirectory()) throw new Error(`${path} must be a directory, not a link or a file`);
  if (process.getuid && stat.uid !== process.getuid())
    throw new Error(`${path} belongs to another user (uid ${stat.uid})`);
  chmodSync(path, 0o700);
  return path;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
