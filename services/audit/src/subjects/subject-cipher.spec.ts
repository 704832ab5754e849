import { keyObject, newKey, open, pseudonymOf, seal, sealContext } from './subject-cipher.js';

describe('subject cipher', () => {
  const key = keyObject(newKey());
  const context = sealContext('tenant-a', 'event-1', 'actor');

  it('seals the same subject for the same entry to the same bytes (a replay rebuilds them)', () => {
    expect(seal(key, 'alice@example.com', context)).toBe(seal(key, 'alice@example.com', context));
    expect(seal(key, 'alice@example.com', context)).not.toContain('alice');
  });

  it('uses a different nonce per entry and per subject', () => {
    const nonce = (sealed: string): string => sealed.split('.')[1]!;
    expect(nonce(seal(key, 'alice', context))).not.toBe(
      nonce(seal(key, 'alice', sealContext('tenant-a', 'event-2', 'actor'))),
    );
    expect(nonce(seal(key, 'alice', context))).not.toBe(nonce(seal(key, 'bob', context)));
  });

  it('opens only with its key and in its own entry and role', () => {
    const sealed = seal(key, 'alice', context);
    expect(open(key, sealed, context)).toBe('alice');
    expect(() => open(keyObject(newKey()), sealed, context)).toThrow();
    expect(() => open(key, sealed, sealContext('tenant-a', 'event-1', 'target'))).toThrow();
    const [version, nonce, body, tag] = sealed.split('.');
    const flipped = Buffer.from(body!, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    expect(() => open(key, [version, nonce, flipped.toString('base64url'), tag].join('.'), context)).toThrow();
  });

  it('makes pseudonyms that are stable per tenant key and differ across tenants', () => {
    const tenantA = keyObject(newKey());
    expect(pseudonymOf(tenantA, 'alice')).toBe(pseudonymOf(tenantA, 'alice'));
    expect(pseudonymOf(tenantA, 'alice')).not.toBe(pseudonymOf(tenantA, 'bob'));
    expect(pseudonymOf(tenantA, 'alice')).not.toBe(pseudonymOf(keyObject(newKey()), 'alice'));
  });
});
