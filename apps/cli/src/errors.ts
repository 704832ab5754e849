/**
 * Why the command could not do its job. Every kind ends the process with exit code 2 and
 * one line naming the problem; the kind only says where it came from (logs, tests).
 */
export type CliErrorKind = 'usage' | 'config' | 'network' | 'auth' | 'api' | 'dataset' | 'embedded' | 'run' | 'timeout';

export class CliError extends Error {
  constructor(
    readonly kind: CliErrorKind,
    message: string,
    /** Lines printed before the one-line reason (e.g. every bad row of a dataset). */
    readonly details: readonly string[] = [],
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const usageError = (message: string): CliError => new CliError('usage', message);
