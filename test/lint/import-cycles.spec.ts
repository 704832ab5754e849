import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/**
 * No import cycles between files, type-only imports included: a module and the runtime that
 * builds it, say, must not import each other. Cycles hide which file is the foundation and,
 * with value imports, break ESM initialisation order. (ESLint's import plugins skip type-only
 * imports; this check does not, and needs no plugin.)
 */
const root = join(import.meta.dirname, '..', '..');
const SOURCE_ROOTS = ['libs', 'services', 'apps', 'infra/src', 'test'];

function sourceFiles(dir: string, found: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sourceFiles(path, found);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) found.push(path);
  }
  return found;
}

/** Relative imports and re-exports of a file, resolved to files of the tree. */
function importsOf(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, false);
  return importedFiles
    .filter(({ fileName }) => fileName.startsWith('.'))
    .map(({ fileName }) => resolve(dirname(file), fileName.replace(/\.js$/, '.ts')))
    .map((target) => (existsSync(target) ? target : join(target.replace(/\.ts$/, ''), 'index.ts')))
    .filter((target) => existsSync(target));
}

/** Strongly connected components of more than one file (Tarjan). */
export function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1) found.push(component.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

describe('import cycles', () => {
  it('finds a cycle when there is one (the check can fail)', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
    ]);
    expect(cycles(graph)).toEqual([['a', 'b', 'c']]);
  });

  it('has none in the tree', () => {
    const files = SOURCE_ROOTS.filter((dir) => existsSync(join(root, dir))).flatMap((dir) =>
      sourceFiles(join(root, dir)),
    );
    const graph = new Map(files.map((file) => [file, importsOf(file)]));
    expect(cycles(graph).map((component) => component.map((file) => relative(root, file)).join(' <-> '))).toEqual([]);
  });
});
