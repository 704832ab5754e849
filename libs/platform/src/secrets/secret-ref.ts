import { readFile } from 'node:fs/promises';

/**
 * The secrets port: configuration names a secret (`env:NAME` or `file:/path`), never
 * holds it; the value is fetched when needed, so a rotated key or a re-mounted file
 * is picked up, and it never sits in config objects, logs or events.
 */
export class SecretError extends Error {
  constructor(
    readonly ref: string,
    problem: string,
  ) {
    super(`secret ${ref}: ${problem}`);
    this.name = 'SecretError';
  }
}

export type SecretResolver = (ref: string) => Promise<string>;

export function secretResolver(env: Readonly<Record<string, string | undefined>> = process.env): SecretResolver {
  return async (ref) => {
    if (ref.startsWith('env:')) {
      const value = env[ref.slice(4)];
      if (!value) throw new SecretError(ref, 'the environment variable is not set');
      return value;
    }
    if (ref.startsWith('file:/')) {
      try {
        return (await readFile(ref.slice(5), 'utf8')).trim();
      } catch (error) {
        throw new SecretError(ref, `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
      }
    }
    throw new SecretError(ref, 'must be env:NAME or file:/absolute/path');
  };
}
