import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  createSecretKey,
  randomBytes,
  type KeyObject,
} from 'node:crypto';

/**
 * Crypto-shredding primitives. A subject is stored as a keyed pseudonym (HMAC-SHA256 with
 * the tenant's pseudonym key: filterable, not reversible) and as AES-256-GCM ciphertext under
 * a key of its own; destroying that key makes every ciphertext of the subject unreadable.
 *
 * The nonce is derived (HMAC of key, context and plaintext — the SIV construction) instead of
 * drawn at random, so sealing the same subject for the same event twice gives the same bytes:
 * a replay from the event store rebuilds byte-identical entries. A nonce repeats only for the
 * same key, context and plaintext, i.e. for the same ciphertext, which GCM tolerates.
 */
const VERSION = 'v1';
export const KEY_BYTES = 32;

export function newKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

/** Keys are turned into KeyObjects once: preparing raw bytes on every HMAC or cipher call dominated a replay's time. */
export function keyObject(bytes: Buffer): KeyObject {
  return createSecretKey(bytes);
}

export function pseudonymOf(tenantKey: KeyObject, subject: string): string {
  return createHmac('sha256', tenantKey).update(subject, 'utf8').digest('base64url');
}

export function seal(subjectKey: KeyObject, plaintext: string, context: string): string {
  const nonce = createHmac('sha256', subjectKey)
    .update(`nonce\0${context}\0${plaintext}`, 'utf8')
    .digest()
    .subarray(0, 12);
  const cipher = createCipheriv('aes-256-gcm', subjectKey, nonce);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [
    VERSION,
    nonce.toString('base64url'),
    body.toString('base64url'),
    cipher.getAuthTag().toString('base64url'),
  ].join('.');
}

/** The plaintext, or an error when the ciphertext, its context or the key is not the one it was sealed with. */
export function open(subjectKey: KeyObject, sealed: string, context: string): string {
  const [version, nonce, body, tag] = sealed.split('.');
  if (version !== VERSION || nonce === undefined || body === undefined || tag === undefined)
    throw new Error('not a sealed subject');
  const decipher = createDecipheriv('aes-256-gcm', subjectKey, Buffer.from(nonce, 'base64url'));
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
}

/** What a sealed subject is bound to: moving a ciphertext to another entry or role makes it fail to open. */
export function sealContext(tenantId: string, eventId: string, role: 'actor' | 'target'): string {
  return `${tenantId}/${eventId}/${role}`;
}
