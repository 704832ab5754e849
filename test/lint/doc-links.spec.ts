import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** Relative Markdown links in the documentation must point at files that exist. */
const root = join(import.meta.dirname, '..', '..');

interface BrokenLink {
  file: string;
  line: number;
  target: string;
}

/** Markdown files below `dir` (relative to the repository root), none if it does not exist. */
function markdownFiles(dir: string): string[] {
  const absolute = join(root, dir);
  if (!existsSync(absolute)) return [];
  return readdirSync(absolute, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.md'))
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .sort();
}

/** A link we resolve on disk: not a URL with a scheme (http:, https:, mailto:, …), not a bare #anchor. */
function isRelative(target: string): boolean {
  return target !== '' && !target.startsWith('#') && !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith('//');
}

/** Code spans and fenced blocks hold examples, not links. */
function withoutCode(text: string): string {
  return text
    .replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, (block) => block.replace(/[^\n]/g, ' '))
    .replace(/`[^`\n]*`/g, (span) => ' '.repeat(span.length));
}

/**
 * Every relative link `[text](target)` of a Markdown text whose target, resolved against the
 * file's directory (without its #anchor or ?query), does not exist.
 */
function brokenLinks(file: string, text: string, exists: (path: string) => boolean = existsSync): BrokenLink[] {
  const broken: BrokenLink[] = [];
  const lines = withoutCode(text).split('\n');
  lines.forEach((content, index) => {
    for (const match of content.matchAll(/\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      const target = match[1]!;
      if (!isRelative(target)) continue;
      const path = decodeURI(target.replace(/[#?].*$/, ''));
      if (path === '') continue;
      if (!exists(resolve(root, dirname(file), path))) broken.push({ file, line: index + 1, target });
    }
  });
  return broken;
}

const DOCUMENTS = [
  'README.md',
  ...markdownFiles('docs'),
  'libs/contracts/README.md',
  ...markdownFiles('examples'),
].filter((file, index, all) => all.indexOf(file) === index && existsSync(join(root, file)));

describe('documentation links', () => {
  it('reports a relative link to a file that does not exist', () => {
    const text = [
      '# Probe',
      'See [the missing page](docs/no-such-page.md#part) and [the README](README.md?plain=1),',
      '[a site](https://example.com/x.md), [mail](mailto:someone@example.com), [a section](#probe).',
      '`[not a link](nowhere.md)`',
      '```',
      '[not a link either](nowhere.md)',
      '```',
    ].join('\n');
    expect(brokenLinks('README.md', text)).toEqual([
      { file: 'README.md', line: 2, target: 'docs/no-such-page.md#part' },
    ]);
  });

  it('resolves a link against the directory of the file it is in', () => {
    const seen: string[] = [];
    brokenLinks('docs/services/runs.md', '[ADRs](../adr/README.md)', (path) => {
      seen.push(path);
      return true;
    });
    expect(seen).toEqual([join(root, 'docs', 'adr', 'README.md')]);
  });

  it('finds the README and the pages under docs/', () => {
    expect(DOCUMENTS).toContain('README.md');
    expect(DOCUMENTS.some((file) => file.startsWith('docs/'))).toBe(true);
  });

  it('has no broken relative link in README.md, docs/, libs/contracts/README.md or examples/', () => {
    const broken = DOCUMENTS.flatMap((file) => brokenLinks(file, readFileSync(join(root, file), 'utf8')));
    expect(broken.map(({ file, line, target }) => `${file}:${line} → ${target}`)).toEqual([]);
  });
});
