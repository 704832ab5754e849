import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { secretResolver } from './secret-ref.js';

describe('secret references', () => {
  it('resolves env: and file: references and names what is wrong otherwise, without the value', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'secret-')), 'key');
    writeFileSync(file, 'from-a-file\n');
    const resolve = secretResolver({ JUDGE_KEY: 'from-env' });
    await expect(resolve('env:JUDGE_KEY')).resolves.toBe('from-env');
    await expect(resolve(`file:${file}`)).resolves.toBe('from-a-file');
    await expect(resolve('env:MISSING')).rejects.toThrow('secret env:MISSING: the environment variable is not set');
    await expect(resolve('file:/nonexistent/key')).rejects.toThrow('(ENOENT)');
    await expect(resolve('sk-plain-key')).rejects.toThrow('must be env:NAME or file:/absolute/path');
  });
});
