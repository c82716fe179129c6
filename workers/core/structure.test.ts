/**
 * The planner's layering, checked on the source text (README "Architecture"):
 * - nothing under workers/core imports app/, workers/cli*, the worker pool or React (the core stays pure);
 * - no lower pass (ir, import, zoo, cluster, solver, cost, intra, inter, schedule, baselines, export) imports the
 *   planner's assembly (workers/core/plan/ or plan.ts): types flow downward, each defined by the pass that makes it;
 *   plan/ imports nothing that drives plan() (ABOVE);
 * - the passes import one way (ORDER: ir before cost before intra before inter ...);
 * - no import circle inside workers/core;
 * - no file over 300 lines;
 * - one pricing path: nothing in workers/core imports cost/stepModel.ts, the planner's test oracle.
 * Tests are left out of the graph: they may drive the whole planner from beside a pass.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** Module specifiers of import/export-from statements and dynamic imports, comments stripped. */
export function importSpecifiers(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"\\])\/\/.*$/gm, '$1');
  const out: string[] = [];
  const patterns = [
    /(?:^|[;\s])(?:import|export)\s[\w$\s,{}*]*?from\s*['"]([^'"]+)['"]/g,
    /(?:^|[;\s])import\s*['"]([^'"]+)['"]/g,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const re of patterns) for (const m of code.matchAll(re)) out.push(m[1]);
  return out;
}

/** Each strongly connected component of more than one file (or a file importing itself), as one cycle through it. */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  // Tarjan's algorithm, iterative over sorted keys so that the report is deterministic.
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next); low.set(v, next); next++;
    stack.push(v); onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const comp: string[] = [];
      let w: string;
      do { w = stack.pop()!; onStack.delete(w); comp.push(w); } while (w !== v);
      if (comp.length > 1 || (graph.get(v) ?? []).includes(v)) components.push(comp);
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return components.map((comp) => cycleThrough(graph, new Set(comp)));
}

/** One closed path through a component, starting at its first file by name. */
function cycleThrough(graph: ReadonlyMap<string, readonly string[]>, comp: ReadonlySet<string>): string[] {
  const start = [...comp].sort()[0];
  // Breadth-first from start back to start inside the component.
  const prev = new Map<string, string>();
  const queue = [start];
  while (queue.length) {
    const v = queue.shift()!;
    for (const w of graph.get(v) ?? []) {
      if (!comp.has(w)) continue;
      if (w === start) {
        const path = [v];
        while (path[0] !== start) path.unshift(prev.get(path[0])!);
        return path;
      }
      if (!prev.has(w)) { prev.set(w, v); queue.push(w); }
    }
  }
  return [start];
}

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const core = join(repo, 'workers/core');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [p] : [];
  });
}

const rel = (p: string): string => relative(repo, p).split(sep).join('/');
const files = sourceFiles(core).map(rel).sort();
const fileSet = new Set(files);

/** Relative imports of one file, resolved to repo-relative paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(repo, file), 'utf8');
  return importSpecifiers(text).filter((s) => s.startsWith('.')).map((s) => sourceOf(rel(resolve(dirname(join(repo, file)), s))));
}

/** The source file an import names: as written, or with '.js' read as '.ts', or with '.ts' / '/index.ts' added. */
function sourceOf(p: string): string {
  const candidates = [p, p.replace(/\.js$/, '.ts'), `${p}.ts`, `${p}/index.ts`];
  return candidates.find((c) => fileSet.has(c)) ?? p;
}

const edges = new Map(files.map((f) => [f, importsOf(f)]));

/** Folders (or top-level files) under workers/core that drive plan() (several plans per answer): above it. */
const ABOVE = new Set(['whatif']);
/** Tier of a file: 0 a lower pass (every folder not named here: ir, import, zoo, cluster, solver, cost, intra, inter,
 * schedule, baselines, export, progress.ts...), 1 the planner's assembly (plan/, plan.ts), 2 above it. */
function tierOf(f: string): 0 | 1 | 2 {
  const top = f.slice('workers/core/'.length).split('/')[0];
  if (top === 'plan' || top === 'plan.ts') return 1;
  return ABOVE.has(top) ? 2 : 0;
}
/** The passes in import order: each may import only those before it (README "Architecture"). A folder not named
 * here is held by the tiers alone. */
const ORDER = ['progress.ts', 'boundary', 'ir', 'zoo', 'import', 'cluster', 'solver', 'cost', 'intra', 'schedule', 'inter', 'baselines',
  'export', 'plan', 'plan.ts', 'whatif'];
const topOf = (f: string): string => f.slice('workers/core/'.length).split('/')[0];
const MAX_LINES = 300;
const TIER_NAMES = ['lower pass', 'plan/', 'above plan()'] as const;

describe('the structure scan', () => {
  it('reads static, re-export, side-effect and dynamic imports, not comments', () => {
    const text = [
      "import type { A } from './a.ts';",
      'import {',
      '  b,',
      "  c } from '../b.ts';",
      "export { d } from './d.ts';",
      "export * from './e.ts';",
      "import './f.ts';",
      "const g = await import('./g.ts');",
      "// import { h } from './h.ts';",
      "/* import { i } from './i.ts'; */",
      "const url = 'http://x'; // from './j.ts'",
      "export const k = 'from';",
    ].join('\n');
    expect(importSpecifiers(text).sort()).toEqual(['../b.ts', './a.ts', './d.ts', './e.ts', './f.ts', './g.ts']);
  });

  it('puts each folder in its tier', () => {
    expect(['workers/core/cost/memory.ts', 'workers/core/progress.ts', 'workers/core/plan.ts', 'workers/core/plan/context.ts',
      'workers/core/whatif/sweep.ts'].map(tierOf)).toEqual([0, 0, 1, 1, 2]);
  });

  it('finds each circle once, and none in a chain', () => {
    const g = new Map([['a', ['b']], ['b', ['c']], ['c', ['a', 'd']], ['d', []], ['e', ['e']]]);
    expect(findCycles(g)).toEqual([['a', 'b', 'c'], ['e']]);
    expect(findCycles(new Map([['a', ['b']], ['b', ['c']], ['c', []]]))).toEqual([]);
  });
});

describe('workers/core structure', () => {
  it('finds the passes it checks (the scan is not empty)', () => {
    expect(files).toContain('workers/core/plan.ts');
    expect(edges.get('workers/core/plan.ts')!.length).toBeGreaterThan(5);
  });

  it('imports nothing outside workers/core, and no UI library', () => {
    const bad: string[] = [];
    for (const [f, targets] of edges) {
      for (const t of targets) if (!t.startsWith('workers/core/')) bad.push(`${f} -> ${t}`);
      const text = readFileSync(join(repo, f), 'utf8');
      for (const s of importSpecifiers(text)) if (/^(react|react-dom|d3-selection|zustand)(\/|$)/.test(s)) bad.push(`${f} -> ${s}`);
    }
    expect(bad, `workers/core must stay pure:\n${bad.join('\n')}`).toEqual([]);
  });

  it('no lower pass imports plan/ or plan.ts, and plan/ imports nothing that drives plan()', () => {
    const bad: string[] = [];
    for (const [f, targets] of edges) {
      for (const t of targets) {
        if (t.startsWith('workers/core/') && tierOf(t) > tierOf(f)) bad.push(`${f} (${TIER_NAMES[tierOf(f)]}) -> ${t} (${TIER_NAMES[tierOf(t)]})`);
      }
    }
    expect(bad, 'upward imports: move the type or function down to the pass that defines it (a folder whose code ' +
      `calls plan() belongs in ABOVE in this file):\n${bad.join('\n')}`).toEqual([]);
  });

  it('imports passes in one order only (ir before cost before intra before inter ...)', () => {
    const bad: string[] = [];
    for (const [f, targets] of edges) {
      const a = ORDER.indexOf(topOf(f));
      for (const t of targets) {
        const b = ORDER.indexOf(topOf(t));
        if (a >= 0 && b >= 0 && b > a) bad.push(`${f} -> ${t} (${topOf(t)} comes after ${topOf(f)})`);
      }
    }
    expect(bad, `imports against the pass order ${ORDER.join(' < ')}:\n${bad.join('\n')}`).toEqual([]);
  });

  it('keeps every file under 300 lines (tests aside)', () => {
    const long = files.map((f) => ({ f, lines: readFileSync(join(repo, f), 'utf8').split('\n').length - 1 }))
      .filter((x) => x.lines > MAX_LINES).map((x) => `${x.f}: ${x.lines} lines`);
    expect(long, `files over ${MAX_LINES} lines (split along their jobs):\n${long.join('\n')}`).toEqual([]);
  });

  it('prices one way: the planner never imports the step model, its test oracle', () => {
    const oracle = 'workers/core/cost/stepModel.ts';
    const bad = [...edges].filter(([, ts]) => ts.includes(oracle)).map(([f]) => `${f} -> ${oracle}`);
    expect(bad, `take the term from cost/runtimeTerms.ts or cost/optimizer.ts instead:\n${bad.join('\n')}`).toEqual([]);
  });

  it('has no import circle', () => {
    const graph = new Map([...edges].map(([f, ts]) => [f, ts.filter((t) => fileSet.has(t))]));
    const cycles = findCycles(graph).map((c) => [...c, c[0]].join(' -> '));
    expect(cycles, `import circles:\n${cycles.join('\n')}`).toEqual([]);
  });
});
