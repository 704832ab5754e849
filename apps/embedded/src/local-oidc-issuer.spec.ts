import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { decodeJwt } from 'jose';
import { signInWithPkce } from '../test/oidc-sign-in.js';
import { DataDirectory } from './data-directory.js';
import { startLocalOidcIssuer, type LocalOidcIssuer } from './local-oidc-issuer.js';

// Every sign-in attempt is a deliberately slow scrypt.
jest.setTimeout(60_000);

/** The local issuer's sign-in as a browser meets it: a password is required, and refusals say nothing more. */
describe('the local OIDC issuer', () => {
  const path = mkdtempSync(join(tmpdir(), 'evalvault-oidc-'));
  let dir: DataDirectory;
  let issuer: LocalOidcIssuer;
  let password: string;

  beforeAll(async () => {
    dir = DataDirectory.open(path);
    issuer = await startLocalOidcIssuer(dir, 0);
    password = readFileSync(issuer.adminPasswordFile, 'utf8').trim();
  });
  afterAll(async () => {
    await issuer.close();
    dir.release();
    rmSync(path, { recursive: true, force: true });
  });

  it('writes the first user’s password once, to a 0600 file in the data directory', () => {
    expect(issuer.adminPasswordFile).toBe(join(path, 'secrets', 'admin-password'));
    expect(statSync(issuer.adminPasswordFile).mode & 0o777).toBe(0o600);
  });

  it('gives admin with the right password a token for subject local:admin', async () => {
    const { accessToken } = await signInWithPkce(issuer.issuer, 'admin', password);
    expect(decodeJwt(accessToken)).toMatchObject({
      iss: issuer.issuer,
      aud: 'urn:evalvault:api',
      sub: 'local:admin',
      tenant: 'default',
    });
  });

  it.each([
    ['a wrong password', 'admin', 'not-the-password'],
    ['an unknown user', 'dana@example.com', 'any'],
    ['an API key’s subject', 'api-key:0123456789ab', 'any'],
    ['a service’s subject', 'system:bootstrap', 'any'],
  ])('refuses %s with the same generic message', async (_case, login, attempt) => {
    await expect(signInWithPkce(issuer.issuer, login, attempt === 'any' ? password : attempt)).rejects.toThrow(
      'sign-in refused (HTTP 401): Wrong user name or password.',
    );
  });
});
