import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { JEMALLOC_PATHS, serviceAllocatorEnv } from './native-allocator.js';

const installed = JEMALLOC_PATHS.find((path) => existsSync(path));

describe('the allocator a service process starts with', () => {
  it('preloads jemalloc where the library is, with two arenas for glibc in case it is refused', () => {
    const only = (wanted: string) => (path: string) => path === wanted;
    expect(serviceAllocatorEnv({}, only('/usr/lib/aarch64-linux-gnu/libjemalloc.so.2'))).toEqual({
      MALLOC_ARENA_MAX: '2',
      LD_PRELOAD: '/usr/lib/aarch64-linux-gnu/libjemalloc.so.2',
    });
  });

  it('falls back to glibc with two arenas where jemalloc is not installed', () => {
    expect(serviceAllocatorEnv({}, () => false)).toEqual({ MALLOC_ARENA_MAX: '2' });
  });

  it('keeps what the operator chose: their own preload, arenas, or glibc on purpose', () => {
    const everywhere = () => true;
    expect(serviceAllocatorEnv({ LD_PRELOAD: '/opt/tcmalloc.so' }, everywhere)).toEqual({
      MALLOC_ARENA_MAX: '2',
      LD_PRELOAD: '/opt/tcmalloc.so',
    });
    expect(serviceAllocatorEnv({ MALLOC_ARENA_MAX: '4', EVALVAULT_ALLOCATOR: 'glibc' }, everywhere)).toEqual({
      MALLOC_ARENA_MAX: '4',
    });
  });

  // A real process from that environment: the loader maps the library (what the soak reports per service).
  it('starts a Node process on jemalloc (Debian: libjemalloc2, which .ci/run installs)', () => {
    if (!installed) throw new Error(`jemalloc is not installed (none of ${JEMALLOC_PATHS.join(', ')})`);
    const maps = execFileSync(
      process.execPath,
      ['-e', "process.stdout.write(require('fs').readFileSync('/proc/self/maps', 'utf8'))"],
      {
        env: { PATH: process.env['PATH'] ?? '', ...serviceAllocatorEnv({}) },
      },
    ).toString();
    expect(maps).toContain(installed);
  });
});
