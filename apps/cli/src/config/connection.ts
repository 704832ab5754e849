import type { Environment } from '../io.js';
import { credentialsPath, readCredentials, type StoredCredentials } from './credentials.js';

/** Where to send requests and how to authenticate them. */
export interface ServerConnection {
  url: string;
  project: string;
  /** Fixed Authorization material from the environment or the command line… */
  bearer: string | null;
  /** …or the credentials `evalvault login` saved (refreshed and saved again when they expire). */
  stored: StoredCredentials | null;
  credentialsFile: string;
}

export interface ConnectionFlags {
  url?: string;
  project?: string;
}

/**
 * The server to talk to, in order: --url or EVALVAULT_URL with EVALVAULT_API_KEY or
 * EVALVAULT_TOKEN (or the saved credentials when they are for that URL); else the saved
 * credentials. Null means no server is configured: the embedded platform is the fallback.
 */
export async function resolveConnection(flags: ConnectionFlags, env: Environment): Promise<ServerConnection | null> {
  const credentialsFile = credentialsPath(env);
  const stored = await readCredentials(credentialsFile);
  const url = flags.url ?? env['EVALVAULT_URL'] ?? null;
  const bearer = env['EVALVAULT_API_KEY'] || env['EVALVAULT_TOKEN'] || null;
  const project = flags.project ?? env['EVALVAULT_PROJECT'] ?? null;
  if (url) {
    const sameServer = stored && sameUrl(stored.url, url) ? stored : null;
    return {
      url,
      project: project ?? sameServer?.project ?? 'default',
      bearer,
      stored: bearer ? null : sameServer,
      credentialsFile,
    };
  }
  if (stored)
    return {
      url: stored.url,
      project: project ?? stored.project,
      bearer,
      stored: bearer ? null : stored,
      credentialsFile,
    };
  return null;
}

const sameUrl = (a: string, b: string): boolean => a.replace(/\/+$/, '') === b.replace(/\/+$/, '');
