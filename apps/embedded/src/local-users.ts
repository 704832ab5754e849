import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { DataDirectory } from './data-directory.js';

/** The local issuer's subjects are `local:<name>`: never an `api-key:<id>` or a `system:<service>` actor. */
export const LOCAL_SUBJECT_PREFIX = 'local:';
/** Prefixes of subjects the platform gives other actors; a user name may not take one. */
export const RESERVED_PREFIXES = ['api-key:', 'system:', LOCAL_SUBJECT_PREFIX] as const;
export const USERS_FILE = 'users.json';
export const ADMIN_PASSWORD_FILE = 'admin-password';
export const FIRST_USER = 'admin';

// No colon: a name can then never read as a prefixed subject; short, printable, case kept.
const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
// One of OWASP's equivalent scrypt minimums (N=2^15, r=8, p=3): 32 MiB rather than the 128 MiB of
// N=2^17 for the same work, a fraction of a second a check, which is also the price of each guess.
const SCRYPT = { N: 2 ** 15, r: 8, p: 3 } as const;
const KEY_LENGTH = 32;

interface StoredUser {
  name: string;
  scrypt: { N: number; r: number; p: number; salt: string; hash: string };
}

export function isValidUserName(name: string): boolean {
  return NAME.test(name) && !RESERVED_PREFIXES.some((prefix) => name.startsWith(prefix));
}

/**
 * The people who may sign in with the local issuer: `<dataDir>/secrets/users.json` (0600), each
 * with an scrypt hash of a password. Created at first start with one user, `admin`, whose random
 * password is written once to `secrets/admin-password` (0600) for the operator to read. The file
 * is read at each check, so an edit applies without a restart.
 */
export class LocalUsers {
  private constructor(private readonly file: string) {}

  static async open(dir: DataDirectory): Promise<LocalUsers> {
    const users = new LocalUsers(dir.secretPath(USERS_FILE));
    if (!existsSync(users.file)) {
      // The password file first: after a crash between the two, the next start hashes the same password.
      const password = dir.secret(ADMIN_PASSWORD_FILE, () => randomBytes(18).toString('base64url'));
      await users.add(FIRST_USER, password);
    }
    return users;
  }

  /** The subject of the user this name and password sign in, or null; the same work whether the name exists or not. */
  async verify(name: string, password: string): Promise<string | null> {
    const user = isValidUserName(name) ? this.read().find((candidate) => candidate.name === name) : undefined;
    const matched = await matches(user?.scrypt ?? DECOY, password);
    return user && matched ? `${LOCAL_SUBJECT_PREFIX}${user.name}` : null;
  }

  /** Whether a subject is still one of the users (a removed user's refresh token stops working). */
  knows(subject: string): boolean {
    if (!subject.startsWith(LOCAL_SUBJECT_PREFIX)) return false;
    const name = subject.slice(LOCAL_SUBJECT_PREFIX.length);
    return this.read().some((user) => user.name === name);
  }

  /** Adds a user, or sets the password of one that exists. */
  async add(name: string, password: string): Promise<void> {
    if (!isValidUserName(name))
      throw new Error(
        `user name "${name}" refused: letters, digits and . _ @ - only, ` +
          `and not a reserved prefix (${RESERVED_PREFIXES.join(', ')})`,
      );
    if (!password) throw new Error('a password is required');
    const users = this.read().filter((user) => user.name !== name);
    users.push({ name, scrypt: await hashed(password) });
    // Written aside then renamed: a crash leaves the old file or the new one, never half of one.
    const next = `${this.file}.${process.pid}.tmp`;
    rmSync(next, { force: true });
    writeFileSync(next, `${JSON.stringify({ users }, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    renameSync(next, this.file);
  }

  private read(): StoredUser[] {
    if (!existsSync(this.file)) return [];
    const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as { users?: StoredUser[] };
    if (!Array.isArray(parsed.users)) throw new Error(`${this.file} must hold {"users": [...]}`);
    return parsed.users;
  }
}

async function hashed(password: string): Promise<StoredUser['scrypt']> {
  const salt = randomBytes(16);
  const hash = await derive(password, salt, SCRYPT);
  return { ...SCRYPT, salt: salt.toString('base64url'), hash: hash.toString('base64url') };
}

async function matches(stored: StoredUser['scrypt'], password: string): Promise<boolean> {
  const expected = Buffer.from(stored.hash, 'base64url');
  const actual = await derive(password, Buffer.from(stored.salt, 'base64url'), stored, expected.length);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

function derive(
  password: string,
  salt: Buffer,
  cost: { N: number; r: number; p: number },
  length = KEY_LENGTH,
): Promise<Buffer> {
  const options: ScryptOptions = { N: cost.N, r: cost.r, p: cost.p, maxmem: 256 * cost.N * cost.r + 1024 * 1024 };
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, length, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

/** Checked against when the name is unknown, so a refusal takes as long whether the user exists or not. */
const DECOY: StoredUser['scrypt'] = {
  ...SCRYPT,
  salt: randomBytes(16).toString('base64url'),
  hash: randomBytes(KEY_LENGTH).toString('base64url'),
};
