import { contentKeyObject, newContentKey, openJson, sealContext, sealJson } from './content-cipher.js';

describe('memory content cipher', () => {
  const key = contentKeyObject(newContentKey());
  const context = sealContext('tenant-a', 'fact-1');

  it('seals JSON as iv ‖ tag ‖ ciphertext that opens only with its key and context', () => {
    const sealed = sealJson(key, { subject: 'Paris', predicate: 'is', object: 'in France' }, context);
    expect(sealed.toString('utf8')).not.toContain('Paris');
    expect(sealed.length).toBeGreaterThan(28);
    expect(openJson(key, sealed, context)).toEqual({ subject: 'Paris', predicate: 'is', object: 'in France' });
    expect(() => openJson(contentKeyObject(newContentKey()), sealed, context)).toThrow();
    expect(() => openJson(key, sealed, sealContext('tenant-b', 'fact-1'))).toThrow();
    const flipped = Buffer.from(sealed);
    flipped[flipped.length - 1] = flipped[flipped.length - 1]! ^ 1;
    expect(() => openJson(key, flipped, context)).toThrow();
  });

  it('uses a fresh iv each time', () => {
    expect(sealJson(key, 'x', context).subarray(0, 12)).not.toEqual(sealJson(key, 'x', context).subarray(0, 12));
  });
});
