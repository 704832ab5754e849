/**
 * How long a 429/503 answer asks us to wait, in ms. `Retry-After` is either delay-seconds
 * or an HTTP-date (RFC 9110 §10.2.3); OpenAI also sends the finer `retry-after-ms`, which
 * its SDK prefers, so we do too. Undefined when absent or unreadable.
 */
export function retryAfterMs(headers: Headers, now: number = Date.now()): number | undefined {
  const milliseconds = headers.get('retry-after-ms');
  if (milliseconds !== null && /^\d+(\.\d+)?$/.test(milliseconds.trim())) return Math.ceil(Number(milliseconds));
  return parseRetryAfter(headers.get('retry-after'), now);
}

export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000);
  // An HTTP-date always names its day and month; without letters, Date.parse would take "-1" for a year.
  const date = /[a-z]/i.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
