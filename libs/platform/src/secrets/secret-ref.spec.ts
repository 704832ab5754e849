import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSecretRef, secretResolver } from './secret-ref.js';

describe('secret references', () => {
  it('resolves env: and file: references and names what is wrong otherwise, without the value', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'secret-')), 'key');
    writeFileSync(file, 'from-a-file\n');
    const resolve = secretResolver({ JUDGE_KEY: 'from-env' });
    await expect(resolve('env:JUDGE_KEY')).resolves.toBe('from-env');
    await expect(resolve(`file:${file}`)).resolves.toBe('from-a-file');
    await expect(resolve('env:MISSING')).rejects.toThrow('secret env:MISSING: the environment variable is not set');
    await expect(resolve('file:/nonexistent/key')).rejects.toThrow('(ENOENT)');
    await expect(resolve('sk-plain-key')).rejects.toThrow(
      'must be env:NAME, file:/absolute/path or vault:<mount>/<path>#<key>',
    );
  });

  it('knows the shape of the refs each provider resolves', () => {
    for (const ref of ['env:JUDGE_KEY', 'file:/run/secrets/key', 'vault:secret/evalvault/judge#api_key'])
      expect(isSecretRef(ref)).toBe(true);
    for (const ref of ['JUDGE_KEY', 'env:1X', 'file:relative', 'vault:secret#key', 'vault:secret/a/#k', 'vault:kv/a'])
      expect(isSecretRef(ref)).toBe(false);
  });
});
