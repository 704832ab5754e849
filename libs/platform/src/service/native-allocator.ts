import { existsSync } from 'node:fs';

/** Where Debian, Ubuntu and Red Hat's `libjemalloc2` / `jemalloc` packages put the library, by architecture. */
export const JEMALLOC_PATHS: readonly string[] = [
  '/usr/lib/x86_64-linux-gnu/libjemalloc.so.2',
  '/usr/lib/aarch64-linux-gnu/libjemalloc.so.2',
  '/usr/lib64/libjemalloc.so.2',
  '/usr/local/lib/libjemalloc.so.2',
];

/**
 * The environment that picks a service process's native memory allocator (docs/operations.md, "Memory").
 * glibc's malloc keeps what a busy Node process frees: under steady load a service's resident set rose
 * 10–50 % in its first minute or two and stayed there, outside the V8 heap, whichever service it hit
 * (two arenas made it rarer, not gone). jemalloc returns freed pages to the system after a few seconds,
 * so the resident set follows the working set. Preloaded when installed; otherwise glibc with two arenas.
 * An operator's own LD_PRELOAD or MALLOC_ARENA_MAX wins, and EVALVAULT_ALLOCATOR=glibc turns jemalloc off.
 * Both are read by the new process's loader and libc at its start: setting them inside Node does nothing.
 */
export function serviceAllocatorEnv(
  /** The launcher's environment, which the service's is made from. */
  env: NodeJS.ProcessEnv,
  exists: (path: string) => boolean = existsSync,
): Record<string, string> {
  const chosen: Record<string, string> = { MALLOC_ARENA_MAX: env['MALLOC_ARENA_MAX'] || '2' };
  if (env['LD_PRELOAD']) return { ...chosen, LD_PRELOAD: env['LD_PRELOAD'] };
  if (env['EVALVAULT_ALLOCATOR'] === 'glibc') return chosen;
  const jemalloc = JEMALLOC_PATHS.find((path) => exists(path));
  return jemalloc ? { ...chosen, LD_PRELOAD: jemalloc } : chosen;
}
