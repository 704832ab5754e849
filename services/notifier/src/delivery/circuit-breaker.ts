/**
 * One circuit per destination: after `threshold` consecutive failures it opens and calls are
 * held back for `cooldownMs`; then one trial call is let through (half-open), whose outcome
 * closes the circuit or opens it again. Keeps a failing Jira from being hammered by every
 * pending notification, while notifications to healthy destinations go on.
 */
interface Circuit {
  failures: number;
  openUntil: number | null;
  trialInFlight: boolean;
}

export type Admission = { admitted: true } | { admitted: false; retryAt: number };

export class CircuitBreaker {
  private readonly circuits = new Map<string, Circuit>();

  constructor(private readonly options: { threshold: number; cooldownMs: number }) {}

  /** May a call to this destination go out now? A half-open circuit admits one call at a time. */
  admit(key: string, now: number): Admission {
    const circuit = this.circuits.get(key);
    if (!circuit || circuit.openUntil === null) return { admitted: true };
    if (now < circuit.openUntil) return { admitted: false, retryAt: circuit.openUntil };
    if (circuit.trialInFlight) return { admitted: false, retryAt: now + this.options.cooldownMs };
    circuit.trialInFlight = true;
    return { admitted: true };
  }

  succeeded(key: string): void {
    this.circuits.delete(key);
  }

  failed(key: string, now: number): void {
    const circuit = this.circuits.get(key) ?? { failures: 0, openUntil: null, trialInFlight: false };
    circuit.failures += 1;
    if (circuit.trialInFlight || circuit.failures >= this.options.threshold)
      circuit.openUntil = now + this.options.cooldownMs;
    circuit.trialInFlight = false;
    this.circuits.set(key, circuit);
  }

  /** The call ended without telling anything about the destination (e.g. refused locally). */
  released(key: string): void {
    const circuit = this.circuits.get(key);
    if (circuit) circuit.trialInFlight = false;
  }

  state(key: string, now: number): 'closed' | 'open' | 'half-open' {
    const circuit = this.circuits.get(key);
    if (!circuit || circuit.openUntil === null) return 'closed';
    return now < circuit.openUntil ? 'open' : 'half-open';
  }
}
