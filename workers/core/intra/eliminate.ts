/**
 * Exact pre-solve reduction of a cost graph: a node whose edges all lead to one neighbour u is folded into u
 * (u's cost for strategy k += min over the node's strategies of its cost plus the edges' cost), repeatedly, so tree
 * parts of the graph (parameters feeding one op, chains) vanish before the ILP. A node with no edges left takes
 * its cheapest strategy. Under a memory budget only nodes whose memory does not depend on their strategy fold,
 * which keeps the reduction exact.
 */
import type { CostEdge, CostGraph } from './costGraph.ts';

export interface Reduction {
  /** The graph left for the ILP. */
  readonly graph: CostGraph;
  /** Original index of each node of `graph`. */
  readonly kept: readonly number[];
  /** Memory of the folded nodes (strategy-independent under a budget), bytes. */
  readonly foldedMemoryBytes: number;
  /** Full choice (original indices) from a choice on `graph`. */
  readonly expand: (reducedChoice: readonly number[]) => number[];
}

interface Folded {
  readonly node: number;
  /** Neighbour it folded into, or -1 when it had none. */
  readonly into: number;
  /** Best strategy of `node` per strategy of `into` (one entry when into = -1). */
  readonly best: readonly number[];
}

function edgeCost(e: CostEdge, fromK: number, toK: number): number {
  return e.costSeconds[e.fromGroup[fromK]][e.toGroup[toK]];
}

export function reduceCostGraph(g: CostGraph, withMemoryBudget: boolean): Reduction {
  const n = g.nodes.length;
  const cost = g.nodes.map((x) => x.costSeconds.slice());
  const alive = g.nodes.map(() => true);
  const edgesOf: Set<number>[] = g.nodes.map(() => new Set());
  g.edges.forEach((e, i) => { edgesOf[e.from].add(i); edgesOf[e.to].add(i); });
  const folded: Folded[] = [];
  const foldable = (v: number): boolean => {
    if (!withMemoryBudget) return true;
    const m = g.nodes[v].memoryBytes;
    return m.every((x) => x === m[0]);
  };
  const neighbour = (v: number): number | undefined => {
    let u: number | undefined;
    for (const i of edgesOf[v]) {
      const e = g.edges[i];
      const w = e.from === v ? e.to : e.from;
      if (w === v) return undefined;
      if (u === undefined) u = w;
      else if (u !== w) return undefined;
    }
    return u ?? -1;
  };
  const queue = Array.from({ length: n }, (_, i) => i);
  while (queue.length) {
    const v = queue.shift() as number;
    if (!alive[v] || !foldable(v)) continue;
    const u = neighbour(v);
    if (u === undefined) continue;
    const kv = cost[v].length;
    if (u < 0) {
      let best = 0;
      for (let j = 1; j < kv; j++) if (cost[v][j] < cost[v][best]) best = j;
      folded.push({ node: v, into: -1, best: [best] });
      alive[v] = false;
      continue;
    }
    const edges = [...edgesOf[v]].map((i) => g.edges[i]);
    const best = cost[u].map((_, k) => {
      let bj = 0;
      let bc = Infinity;
      for (let j = 0; j < kv; j++) {
        let c = cost[v][j];
        for (const e of edges) c += e.from === v ? edgeCost(e, j, k) : edgeCost(e, k, j);
        if (c < bc) { bc = c; bj = j; }
      }
      cost[u][k] += bc;
      return bj;
    });
    folded.push({ node: v, into: u, best });
    for (const i of edgesOf[v]) edgesOf[u].delete(i);
    edgesOf[v].clear();
    alive[v] = false;
    queue.push(u);
  }
  const kept = g.nodes.map((_, i) => i).filter((i) => alive[i]);
  const index = new Map(kept.map((o, i) => [o, i]));
  const keptEdges = new Set(kept.flatMap((v) => [...edgesOf[v]]));
  const graph: CostGraph = {
    nodes: kept.map((v) => ({ costSeconds: cost[v], memoryBytes: g.nodes[v].memoryBytes })),
    edges: [...keptEdges].sort((a, b) => a - b).map((i) => {
      const e = g.edges[i];
      return { ...e, from: index.get(e.from) as number, to: index.get(e.to) as number };
    }),
  };
  const expand = (reduced: readonly number[]): number[] => {
    const choice = new Array<number>(n).fill(0);
    kept.forEach((v, i) => { choice[v] = reduced[i]; });
    for (let i = folded.length - 1; i >= 0; i--) {
      const f = folded[i];
      choice[f.node] = f.into < 0 ? f.best[0] : f.best[choice[f.into]];
    }
    return choice;
  };
  const foldedMemoryBytes = folded.reduce((s, f) => s + g.nodes[f.node].memoryBytes[0], 0);
  return { graph, kept, expand, foldedMemoryBytes };
}
