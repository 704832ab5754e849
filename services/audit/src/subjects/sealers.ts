import type { KeyObject } from 'node:crypto';
import type { SealedSubject } from '../log/canonical.js';
import { open, pseudonymOf, seal } from './subject-cipher.js';
import type { SubjectKeys, SubjectKeyState } from './subject-keys.js';

/**
 * Stands for a value a replay cannot rebuild (the subject's key is destroyed): the comparison accepts what
 * the log holds.
 */
export const UNVERIFIABLE = '\u0000unverifiable';

/** Turns a plaintext subject into what an entry keeps. */
export interface SubjectSealer {
  sealSubject(tenantId: string, subject: string, context: string): Promise<SealedSubject>;
  /** Only the pseudonym (the subject of SubjectForgotten, whose key goes at the same moment). */
  pseudonym(tenantId: string, subject: string): Promise<string>;
}

/** The consumer's sealer: makes keys on first sight; a forgotten subject is sealed as null. */
export class LiveSealer implements SubjectSealer {
  constructor(private readonly keys: SubjectKeys) {}

  async pseudonym(tenantId: string, subject: string): Promise<string> {
    return pseudonymOf((await this.keys.tenantKey(tenantId, true))!, subject);
  }

  async sealSubject(tenantId: string, subject: string, context: string): Promise<SealedSubject> {
    const pseudonym = await this.pseudonym(tenantId, subject);
    const key = await this.keys.subjectKey(tenantId, pseudonym, true);
    return { pseudonym, sealed: key.state === 'present' ? seal(key.key, subject, context) : null };
  }
}

/**
 * Read-only keys with a cache for one replay or one page of answers: never creates a key,
 * so verifying or reading cannot give a forgotten subject a new one.
 */
export class KeyReader {
  private readonly tenantKeys = new Map<string, KeyObject | null>();
  private readonly subjectKeys = new Map<string, SubjectKeyState>();

  constructor(private readonly keys: SubjectKeys) {}

  async tenantKey(tenantId: string): Promise<KeyObject | null> {
    if (!this.tenantKeys.has(tenantId)) this.tenantKeys.set(tenantId, await this.keys.tenantKey(tenantId, false));
    return this.tenantKeys.get(tenantId)!;
  }

  async subjectKey(tenantId: string, pseudonym: string): Promise<SubjectKeyState> {
    const id = `${tenantId}\0${pseudonym}`;
    if (!this.subjectKeys.has(id)) this.subjectKeys.set(id, await this.keys.subjectKey(tenantId, pseudonym, false));
    return this.subjectKeys.get(id)!;
  }

  /** The plaintext subject, or null when its key is destroyed (or the ciphertext does not open). */
  async reveal(tenantId: string, subject: SealedSubject, context: string): Promise<string | null> {
    if (!subject.sealed) return null;
    const key = await this.subjectKey(tenantId, subject.pseudonym);
    if (key.state !== 'present') return null;
    try {
      return open(key.key, subject.sealed, context);
    } catch {
      return null;
    }
  }
}

/**
 * The replay's sealer: rebuilds what the consumer wrote where the keys still exist, and marks the rest
 * unverifiable.
 */
export class ReplaySealer implements SubjectSealer {
  /** A replay meets the same few subjects thousands of times. */
  private readonly pseudonyms = new Map<string, string>();

  constructor(private readonly keys: KeyReader) {}

  async pseudonym(tenantId: string, subject: string): Promise<string> {
    const id = `${tenantId}\0${subject}`;
    let pseudonym = this.pseudonyms.get(id);
    if (pseudonym === undefined) {
      const tenantKey = await this.keys.tenantKey(tenantId);
      pseudonym = tenantKey ? pseudonymOf(tenantKey, subject) : UNVERIFIABLE;
      this.pseudonyms.set(id, pseudonym);
    }
    return pseudonym;
  }

  async sealSubject(tenantId: string, subject: string, context: string): Promise<SealedSubject> {
    const pseudonym = await this.pseudonym(tenantId, subject);
    if (pseudonym === UNVERIFIABLE) return { pseudonym, sealed: UNVERIFIABLE };
    const key = await this.keys.subjectKey(tenantId, pseudonym);
    return { pseudonym, sealed: key.state === 'present' ? seal(key.key, subject, context) : UNVERIFIABLE };
  }
}
