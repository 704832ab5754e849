import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CliError } from '../errors.js';
import type { Environment } from '../io.js';

export interface ApiKeyAuth {
  type: 'api_key';
  apiKey: string;
}

export interface OidcAuth {
  type: 'oidc';
  issuer: string;
  clientId: string;
  tokenEndpoint: string;
  accessToken: string;
  refreshToken: string | null;
  /** Epoch milliseconds; null when the issuer did not say. */
  expiresAt: number | null;
}

export interface StoredCredentials {
  url: string;
  project: string;
  auth: ApiKeyAuth | OidcAuth;
}

/** ~/.config/evalvault/credentials.json, or under $XDG_CONFIG_HOME when set. */
export function credentialsPath(env: Environment): string {
  const base = env['XDG_CONFIG_HOME'] || join(env['HOME'] || homedir(), '.config');
  return join(base, 'evalvault', 'credentials.json');
}

export async function readCredentials(path: string): Promise<StoredCredentials | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return null;
    throw new CliError('config', `cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    const stored = JSON.parse(text) as StoredCredentials;
    if (typeof stored.url !== 'string' || typeof stored.auth?.type !== 'string') throw new Error('missing url or auth');
    return stored;
  } catch (error) {
    throw new CliError('config', `${path} is damaged (${(error as Error).message}); run "evalvault login" again`);
  }
}

/** Only the user may read it: the file holds a key or tokens. */
export async function writeCredentials(path: string, credentials: StoredCredentials): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFile(path, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  await chmod(path, 0o600); // writeFile's mode applies only when it creates the file
}

export async function removeCredentials(path: string): Promise<boolean> {
  try {
    await rm(path);
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return false;
    throw error;
  }
}
