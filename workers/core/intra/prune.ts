/**
 * Exact pruning of strategies before the ILP: strategy b of a node can never be optimal when some strategy a of
 * the same node costs less in the worst case than b in the best case (a's cost plus the largest cost of each of
 * its edges < b's cost plus the smallest), and a needs no more memory. Swapping b for a in any solution would lower
 * the objective and keep it feasible. This drops, e.g., a dot strategy whose all-reduce dwarfs any resharding.
 */
import type { CostEdge, CostGraph } from './costGraph.ts';

export interface Pruned {
  readonly graph: CostGraph;
  /** Original strategy indices kept, per node. */
  readonly kept: readonly (readonly number[])[];
}

function bounds(g: CostGraph, alive: readonly (readonly boolean[])[], v: number): { lo: number[]; hi: number[] } {
  const lo = g.nodes[v].costSeconds.slice();
  const hi = lo.slice();
  for (const e of g.edges) {
    if (e.from !== v && e.to !== v) continue;
    const mine = e.from === v ? e.fromGroup : e.toGroup;
    const other = e.from === v ? e.to : e.from;
    const otherGroups = new Set((e.from === v ? e.toGroup : e.fromGroup).filter((_, k) => alive[other][k]));
    for (let k = 0; k < lo.length; k++) {
      let mn = Infinity;
      let mx = -Infinity;
      for (const h of otherGroups) {
        const c = e.from === v ? e.costSeconds[mine[k]][h] : e.costSeconds[h][mine[k]];
        if (c < mn) mn = c;
        if (c > mx) mx = c;
      }
      if (otherGroups.size) { lo[k] += mn; hi[k] += mx; }
    }
  }
  return { lo, hi };
}

function compactGroups(groups: readonly number[], kept: readonly number[]): { group: number[]; old: number[] } {
  const index = new Map<number, number>();
  const old: number[] = [];
  const group = kept.map((k) => {
    let g = index.get(groups[k]);
    if (g === undefined) { g = old.length; index.set(groups[k], g); old.push(groups[k]); }
    return g;
  });
  return { group, old };
}

export function pruneStrategies(g: CostGraph, withMemoryBudget: boolean): Pruned {
  const alive = g.nodes.map((n) => n.costSeconds.map(() => true));
  for (let pass = 0; pass < 2; pass++) {
    g.nodes.forEach((n, v) => {
      const { lo, hi } = bounds(g, alive, v);
      const mem = n.memoryBytes;
      for (let b = 0; b < lo.length; b++) {
        if (!alive[v][b]) continue;
        for (let a = 0; a < lo.length; a++) {
          if (a === b || !alive[v][a] || (withMemoryBudget && mem[a] > mem[b])) continue;
          if (hi[a] < lo[b]) { alive[v][b] = false; break; }
        }
      }
    });
  }
  const kept = alive.map((row) => row.flatMap((ok, k) => (ok ? [k] : [])));
  const graph: CostGraph = {
    nodes: g.nodes.map((n, v) => ({ costSeconds: kept[v].map((k) => n.costSeconds[k]), memoryBytes: kept[v].map((k) => n.memoryBytes[k]) })),
    edges: g.edges.map((e): CostEdge => {
      const f = compactGroups(e.fromGroup, kept[e.from]);
      const t = compactGroups(e.toGroup, kept[e.to]);
      return { from: e.from, to: e.to, fromGroup: f.group, toGroup: t.group, costSeconds: f.old.map((a) => t.old.map((b) => e.costSeconds[a][b])) };
    }),
  };
  return { graph, kept };
}
