import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { didYouMean } from './did-you-mean.js';
import { CliError } from './errors.js';

/** Options every command that talks to a server takes. */
export const CONNECTION_OPTIONS = {
  url: { type: 'string' },
  project: { type: 'string', short: 'p' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsOptionsConfig;

export const REPORT_OPTIONS = {
  junit: { type: 'string' },
  json: { type: 'string' },
  markdown: { type: 'string' },
} as const satisfies ParseArgsOptionsConfig;

/**
 * node:util parseArgs, strict, with its errors turned into usage errors and the positional
 * arguments counted: `positionals` names the required ones, in order.
 */
export function parseCommand<T extends ParseArgsOptionsConfig>(
  command: string,
  argv: string[],
  options: T,
  positionals: readonly string[],
  /** Positionals that may be left out, after the required ones. */
  optional: readonly string[] = [],
) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0]!.replace(/\. To specify a positional argument.*$/, '');
    throw new CliError('usage', `${command}: ${reason}${optionSuggestion(reason, options)}`);
  }
  const values = parsed.values as ReturnType<
    typeof parseArgs<{ options: T; allowPositionals: true; strict: true }>
  >['values'];
  if ((values as { help?: boolean }).help) return { values, positionals: parsed.positionals, help: true };
  if (parsed.positionals.length < positionals.length) {
    throw new CliError(
      'usage',
      `${command}: missing ${positionals
        .slice(parsed.positionals.length)
        .map((name) => `<${name}>`)
        .join(' ')} (see "evalvault ${command} --help")`,
    );
  }
  if (parsed.positionals.length > positionals.length + optional.length) {
    throw new CliError(
      'usage',
      `${command}: unexpected argument "${parsed.positionals[positionals.length + optional.length]}"`,
    );
  }
  return { values, positionals: parsed.positionals, help: false };
}

/** For parseArgs' "Unknown option '--metrics'": the option of the command it nearly spells, if any. */
function optionSuggestion(reason: string, options: ParseArgsOptionsConfig): string {
  const unknown = /^Unknown option '(--[^'=]+)/.exec(reason)?.[1];
  return unknown
    ? didYouMean(
        unknown,
        Object.keys(options).map((name) => `--${name}`),
      )
    : '';
}

/** A whole number of seconds given as an option, as milliseconds. */
export function secondsOption(name: string, value: string | undefined, fallbackSeconds: number): number {
  if (value === undefined) return fallbackSeconds * 1000;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new CliError('usage', `--${name} must be a positive number of seconds, got "${value}"`);
  return seconds * 1000;
}

/** `--label key=value`, repeatable. */
export function labelsOption(values: readonly string[] | undefined): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const value of values ?? []) {
    const at = value.indexOf('=');
    if (at <= 0) throw new CliError('usage', `--label must be key=value, got "${value}"`);
    labels[value.slice(0, at)] = value.slice(at + 1);
  }
  return labels;
}
