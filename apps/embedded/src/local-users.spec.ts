import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { DataDirectory } from './data-directory.js';
import { LocalUsers } from './local-users.js';

// Each check is a deliberately slow scrypt.
jest.setTimeout(30_000);

/** The local issuer's credentials: hashed in a private file, the first password handed over once in another. */
describe('LocalUsers', () => {
  const path = mkdtempSync(join(tmpdir(), 'evalvault-users-'));
  const secrets = join(path, 'secrets');
  let dir: DataDirectory;
  let users: LocalUsers;
  let password: string;

  beforeAll(async () => {
    dir = DataDirectory.open(path);
    users = await LocalUsers.open(dir);
    password = readFileSync(join(secrets, 'admin-password'), 'utf8').trim();
  });
  afterAll(() => {
    dir.release();
    rmSync(path, { recursive: true, force: true });
  });

  it('creates user admin with a random password, both files 0600, the password only hashed in the users file', () => {
    expect(password).toMatch(/^[\w-]{24}$/);
    expect(statSync(join(secrets, 'admin-password')).mode & 0o777).toBe(0o600);
    expect(statSync(join(secrets, 'users.json')).mode & 0o777).toBe(0o600);
    expect(statSync(secrets).mode & 0o777).toBe(0o700);
    const file = readFileSync(join(secrets, 'users.json'), 'utf8');
    expect(JSON.parse(file)).toEqual({
      users: [
        { name: 'admin', scrypt: expect.objectContaining({ salt: expect.any(String), hash: expect.any(String) }) },
      ],
    });
    expect(file).not.toContain(password);
  });

  it('signs the right password in as subject local:<name>', async () => {
    expect(await users.verify('admin', password)).toBe('local:admin');
    expect(users.knows('local:admin')).toBe(true);
  });

  it('refuses a wrong password, an unknown user and names that would read as another actor', async () => {
    expect(await users.verify('admin', `${password}x`)).toBeNull();
    expect(await users.verify('admin', '')).toBeNull();
    expect(await users.verify('dana', password)).toBeNull();
    for (const reserved of ['api-key:0123456789ab', 'system:runs', 'local:admin']) {
      expect(await users.verify(reserved, password)).toBeNull();
      await expect(users.add(reserved, 'secret')).rejects.toThrow(/reserved prefix/);
    }
    expect(users.knows('admin')).toBe(false);
    expect(users.knows('api-key:admin')).toBe(false);
  });

  it('keeps the users and the first password across a restart', async () => {
    await users.add('dana', 'correct horse');
    const again = await LocalUsers.open(dir);
    expect(readFileSync(join(secrets, 'admin-password'), 'utf8').trim()).toBe(password);
    expect(await again.verify('admin', password)).toBe('local:admin');
    expect(await again.verify('dana', 'correct horse')).toBe('local:dana');
    expect(statSync(join(secrets, 'users.json')).mode & 0o777).toBe(0o600);
  });
});
