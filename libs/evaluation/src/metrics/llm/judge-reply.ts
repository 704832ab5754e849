import type { MetricContext } from '../metric.js';
import { judgeBadOutput, type MetricError } from '../metric-error.js';

const SYSTEM =
  'You are a meticulous evaluator of answers produced by AI systems. Follow the instructions exactly. ' +
  'Reply with a single JSON object and nothing else: no prose, no code fences.';

/** Asks the judge for JSON and parses it; an answer that is not a JSON object is JUDGE_BAD_OUTPUT. */
export async function askJudge(context: MetricContext, purpose: string, prompt: string): Promise<JudgeReply> {
  const raw = await context.judge().complete({ purpose, system: SYSTEM, prompt, json: true });
  const value = parseJsonObject(raw);
  const reply = new JudgeReply(context, purpose, raw, value ?? {});
  if (value === undefined) throw reply.fail('not a JSON object');
  return reply;
}

/**
 * Parses a JSON object out of a model's answer. Tolerates what models commonly wrap around JSON
 * even in JSON mode (a ```json fence, a sentence before or after); anything else is undefined.
 */
export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  const unfenced = text
    .trim()
    .replace(/^```(?:json)?\s*/iu, '')
    .replace(/\s*```$/u, '');
  const whole = tryParse(unfenced);
  // Valid JSON of the wrong shape (an array, a string) is an answer, just not the one asked for.
  if (whole.ok) return isObject(whole.value) ? whole.value : undefined;
  const first = unfenced.indexOf('{');
  const last = unfenced.lastIndexOf('}');
  const embedded = first >= 0 && last > first ? tryParse(unfenced.slice(first, last + 1)) : { ok: false as const };
  return embedded.ok && isObject(embedded.value) ? embedded.value : undefined;
}

function tryParse(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The parsed answer, with readers that reject missing or ill-typed fields as JUDGE_BAD_OUTPUT. */
export class JudgeReply {
  constructor(
    private readonly context: MetricContext,
    readonly purpose: string,
    readonly raw: string,
    readonly value: Record<string, unknown>,
  ) {}

  fail(why: string): MetricError {
    return judgeBadOutput(this.context.metric, this.context.testCase.id, this.purpose, why, this.raw);
  }

  /** A list of strings; blank entries are dropped (models pad lists with ""). */
  strings(key: string): string[] {
    const list = this.value[key];
    if (!Array.isArray(list) || !list.every((item) => typeof item === 'string'))
      throw this.fail(`"${key}" is not a list of strings`);
    return list.map((item: string) => item.trim()).filter((item) => item !== '');
  }

  /** A list of objects, of exactly `length` entries when given (one per item the prompt numbered). */
  objects(key: string, length?: number): Record<string, unknown>[] {
    const list = this.value[key];
    if (!Array.isArray(list) || !list.every(isObject)) throw this.fail(`"${key}" is not a list of objects`);
    if (length !== undefined && list.length !== length)
      throw this.fail(`"${key}" has ${list.length} entries, expected ${length}`);
    return list;
  }

  /** A yes/no field: 1/0, true/false, or those spelled as strings (also "yes"/"no"). */
  flag(key: string, source: Record<string, unknown> = this.value): boolean {
    const value = source[key];
    const spelled = typeof value === 'string' ? value.trim().toLowerCase() : value;
    if (spelled === 1 || spelled === true || spelled === '1' || spelled === 'true' || spelled === 'yes') return true;
    if (spelled === 0 || spelled === false || spelled === '0' || spelled === 'false' || spelled === 'no') return false;
    throw this.fail(`"${key}" is ${JSON.stringify(value) ?? 'missing'}, expected 1 or 0`);
  }

  /** An integer within [min, max], also accepted as a numeric string ("4"). */
  integer(key: string, min: number, max: number): number {
    const value = this.value[key];
    const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isInteger(number) || number < min || number > max) {
      throw this.fail(`"${key}" is ${JSON.stringify(value) ?? 'missing'}, expected an integer from ${min} to ${max}`);
    }
    return number;
  }
}

/** An optional free-text field such as "reason": explanations use it, scores never depend on it. */
export function optionalText(source: Record<string, unknown>, key: string): string {
  const value = source[key];
  return typeof value === 'string' ? value.trim() : '';
}
