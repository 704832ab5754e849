/**
 * Refused credentials per client address, counted before any lookup: an address that keeps
 * presenting unknown keys or bad tokens (guessing, a misconfigured job) is answered 429 without
 * touching the database or the JWKS until its window passes. Valid requests do not count.
 * In this process's memory, like the tenant limit (N gateways allow N × max).
 */
export class FailedAuthLimiter {
  private readonly failures = new Map<string, { count: number; windowEndsAt: number }>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds until the address may try again, or 0 when it may now. */
  blockedFor(address: string): number {
    const entry = this.current(address);
    return entry && entry.count >= this.max ? entry.windowEndsAt - this.now() : 0;
  }

  failed(address: string): void {
    const entry = this.current(address) ?? { count: 0, windowEndsAt: this.now() + this.windowMs };
    entry.count += 1;
    this.failures.set(address, entry);
    if (this.failures.size > 100_000) this.forgetExpired();
  }

  private current(address: string): { count: number; windowEndsAt: number } | undefined {
    const entry = this.failures.get(address);
    if (entry && entry.windowEndsAt <= this.now()) {
      this.failures.delete(address);
      return undefined;
    }
    return entry;
  }

  private forgetExpired(): void {
    for (const [address, entry] of this.failures) if (entry.windowEndsAt <= this.now()) this.failures.delete(address);
  }
}
