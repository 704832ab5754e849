import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contentStoreContract } from '../testing/content-store.contract.js';
import { FilesystemContentStore } from './filesystem-content-store.js';

const root = mkdtempSync(join(tmpdir(), 'evalvault-content-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

contentStoreContract('filesystem', async () => {
  const store = new FilesystemContentStore(join(root, 'contract'));
  const tamper = (hash: string, bytes: Buffer): Promise<void> =>
    writeFile(join(root, 'contract', 'sha256', hash.slice(0, 2), hash), bytes);
  return { store, tamper };
});

describe('FilesystemContentStore', () => {
  it('leaves no upload file behind, whether the bytes were new or not', async () => {
    const store = new FilesystemContentStore(join(root, 'uploads-left'));
    await store.put('the same bytes');
    await store.put('the same bytes');
    expect(await readdir(join(root, 'uploads-left', 'uploads'))).toEqual([]);
  });

  it('sweeps uploads a dead writer left, only once they are old enough', async () => {
    const dir = join(root, 'sweep');
    const store = new FilesystemContentStore(dir);
    await mkdir(join(dir, 'uploads'), { recursive: true });
    const orphan = join(dir, 'uploads', 'orphan');
    writeFileSync(orphan, 'half a dataset');
    expect(await store.sweepAbandonedUploads(60 * 60 * 1000)).toBe(0);
    utimesSync(orphan, new Date(0), new Date(0));
    expect(await store.sweepAbandonedUploads(60 * 60 * 1000)).toBe(1);
    expect(await readdir(join(dir, 'uploads'))).toEqual([]);
  });
});
