import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';

/**
 * Crypto-shredding of memory content (like the audit service's subjects): the text of a fact
 * (subject, predicate, object) or a behaviour (trigger, action) travels in events only as
 * AES-256-GCM ciphertext under a key of its own, kept in `memory.content_keys`. Destroying the
 * key makes every event that carried the text unreadable, while the events themselves stay.
 *
 * Sealed bytes: iv (12) ‖ tag (16) ‖ ciphertext of the JSON object. The additional data binds
 * the ciphertext to its tenant and key id, so it opens nowhere else. The iv is random: events
 * are never re-sealed on replay (a replay reads the sealed bytes the events carry).
 */
export const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export function newContentKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

export function contentKeyObject(bytes: Buffer): KeyObject {
  if (bytes.length !== KEY_BYTES) throw new Error(`a content key has ${KEY_BYTES} bytes`);
  return createSecretKey(bytes);
}

/** What sealed content is bound to. */
export function sealContext(tenantId: string, keyId: string): Buffer {
  return Buffer.from(`evalvault.memory/${tenantId}/${keyId}`, 'utf8');
}

export function sealJson(key: KeyObject, value: unknown, context: Buffer): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(context);
  const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

/** The sealed JSON value; throws when the bytes, the key or the context are not the ones it was sealed with. */
export function openJson<T>(key: KeyObject, sealed: Uint8Array, context: Buffer): T {
  const bytes = Buffer.from(sealed);
  if (bytes.length < IV_BYTES + TAG_BYTES) throw new Error('not sealed memory content');
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
  decipher.setAAD(context);
  decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  const plain = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
  return JSON.parse(plain.toString('utf8')) as T;
}
