import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { JEMALLOC_PATHS } from '@evalvault/platform';
import { composeServices, dockerfile, entrypoints, imageEnv, ROOT } from './deploy-files.js';

/** The Dockerfile as CI can check it without a container engine (none on these machines). */
describe('the image (Dockerfile)', () => {
  const text = dockerfile().replaceAll('\\\n', ' '); // continuation lines joined
  const instructions = (name: string): string[] =>
    text
      .split('\n')
      .filter((line) => line.startsWith(`${name} `))
      .map((line) => line.slice(name.length + 1));

  it('builds in stages on node:24-slim and runs as the unprivileged node user', () => {
    const stages = instructions('FROM');
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages.filter((from) => from.startsWith('node:')).every((from) => from.startsWith('node:24-slim'))).toBe(
      true,
    );
    expect(instructions('USER').at(-1)).toBe('node');
    expect(text).toMatch(/npm prune --omit=dev/);
    expect(instructions('HEALTHCHECK').join(' ')).toContain('/healthz');
  });

  it('runs the services on jemalloc, at a path the launchers know, with two arenas should glibc be used', () => {
    const runtime = text.split(/^FROM /m).at(-1)!;
    expect(runtime).toMatch(/apt-get install -y --no-install-recommends libjemalloc2/);
    const linked = /ln -s "[^"]+" (\S+libjemalloc\.so\.2)$/m.exec(runtime)?.[1];
    expect(imageEnv()).toMatchObject({ LD_PRELOAD: linked, MALLOC_ARENA_MAX: '2' });
    expect(JEMALLOC_PATHS).toContain(linked);
  });

  it('has one entry point choosing what runs by its argument, and every compose service uses a known one', () => {
    expect(instructions('ENTRYPOINT')).toEqual(['["node", "infra/docker/entrypoint.mjs"]']);
    expect(existsSync(join(ROOT, 'infra', 'docker', 'entrypoint.mjs'))).toBe(true);
    const known = Object.keys(entrypoints());
    for (const [name, service] of Object.entries(composeServices()))
      if (service.image?.startsWith('evalvault/') && service.command)
        expect({ name, known: known.includes(service.command[0]!) }).toEqual({ name, known: true });
  });

  it('keeps the entry points, the migrations script and the compose helpers out of .dockerignore', () => {
    expect(existsSync(join(ROOT, '.dockerignore'))).toBe(true);
    for (const file of [...Object.values(entrypoints()), 'infra/compose/generate-secrets.mjs'])
      expect(file.split('/')[0]).not.toMatch(/^(node_modules|\.git|\.evalvault)$/);
  });
});
