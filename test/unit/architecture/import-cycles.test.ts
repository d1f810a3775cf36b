/**
 * No module of gateway/, sanitizer/, policies/ or protocol/ may reach itself through
 * its imports — type-only imports included, since they tie the modules together for
 * the reader just the same. A DFS over the relative `import`/`export … from` lines of
 * the checked-in sources (read only; nothing is written).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOTS = ['gateway', 'sanitizer', 'policies', 'protocol'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** Relative specifiers of static imports and re-exports, and of `import('…')`. */
export function relativeImports(source: string): string[] {
  const found: string[] = [];
  const patterns = [
    /^\s*(?:import|export)\s[^;]*?\sfrom\s*['"](\.{1,2}\/[^'"]+)['"]/gm,
    /^\s*import\s*['"](\.{1,2}\/[^'"]+)['"]/gm,
    /\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g,
  ];
  for (const re of patterns) for (const m of source.matchAll(re)) found.push(m[1]!);
  return found;
}

function resolve(from: string, spec: string): string {
  return path.normalize(path.join(path.dirname(from), spec)).replace(/\.js$/, '.ts');
}

export function findCycles(graph: Map<string, string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'active' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'active');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (state.get(next) === 'active') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return cycles;
}

describe('import graph', () => {
  it('finds a cycle when there is one (the check can fail)', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['a.ts']],
    ]);
    expect(findCycles(graph)).toEqual([['a.ts', 'b.ts', 'c.ts', 'a.ts']]);
    expect(relativeImports("import type { X } from './x.js';\nimport {\n  a,\n  b,\n} from '../y.js';\nexport { z } from './z.js';\nimport './side.js';"))
      .toEqual(['./x.js', '../y.js', './z.js', './side.js']);
  });

  it('has no cycles in gateway/, sanitizer/, policies/ and protocol/ (type-only imports included)', () => {
    const graph = new Map<string, string[]>();
    for (const file of ROOTS.flatMap(sourceFiles)) {
      graph.set(file, [...new Set(relativeImports(readFileSync(file, 'utf8')).map((spec) => resolve(file, spec)))]);
    }
    expect(graph.size).toBeGreaterThan(100);
    expect(findCycles(graph).map((c) => c.join(' → '))).toEqual([]);
  });
});
