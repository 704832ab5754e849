import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** ESLint's max-len: no source line over 120 characters, strings, comments and URLs included. */
const root = join(import.meta.dirname, '..', '..');

/** The lines ESLint reports as too long in `source`, linted as if it were `file`. */
function longLines(file: string, source: string): number[] {
  let output: string;
  try {
    output = execFileSync(
      join(root, 'node_modules', '.bin', 'eslint'),
      ['--format', 'json', '--stdin', '--stdin-filename', file],
      { cwd: root, input: source, env: { ...process.env, NX_DAEMON: 'false' }, encoding: 'utf8' },
    );
  } catch (error) {
    output = (error as { stdout: string }).stdout;
  }
  const [result] = JSON.parse(output) as { messages: { ruleId: string | null; line: number }[] }[];
  return result!.messages.filter((message) => message.ruleId === 'max-len').map((message) => message.line);
}

const of = (length: number, start: string, end = ''): string =>
  `${start}${'x'.repeat(length - start.length - end.length)}${end}`;

const SOURCE = [
  of(120, 'export const fits = 1; // '),
  of(121, '// '),
  of(121, "export const message = '", "';"),
  of(121, 'export const template = `', '`;'),
  of(121, '// https://example.com/'),
  '',
].join('\n');

describe('line length', () => {
  it('refuses lines over 120 characters in TypeScript: code, strings, template literals, comments, URLs', () => {
    expect(longLines('libs/platform/src/line-length-probe.ts', SOURCE)).toEqual([2, 3, 4, 5]);
  });

  it('refuses them in scripts too', () => {
    expect(longLines('scripts/line-length-probe.mjs', SOURCE)).toEqual([2, 3, 4, 5]);
  });
});
