/**
 * The abstract cost graph the ILP is built from (alpa.md §1.3): nodes with per-strategy costs (seconds) and
 * memory (bytes per device), and edges whose resharding cost depends on the producer's and the consumer's
 * strategies. Strategies that leave (or need) the same spec share a group, so an edge's matrix is groups x groups.
 */

export interface CostNode {
  /** Objective contribution of each strategy, seconds. */
  readonly costSeconds: readonly number[];
  /** Per-device memory of each strategy, bytes. */
  readonly memoryBytes: readonly number[];
}

export interface CostEdge {
  readonly from: number;
  readonly to: number;
  /** Group of each `from` strategy (0-based, dense). */
  readonly fromGroup: readonly number[];
  /** Group of each `to` strategy (0-based, dense). */
  readonly toGroup: readonly number[];
  /** costSeconds[fromGroup][toGroup]. */
  readonly costSeconds: readonly (readonly number[])[];
}

export interface CostGraph {
  readonly nodes: readonly CostNode[];
  readonly edges: readonly CostEdge[];
}

/** Objective of a choice (one strategy index per node). */
export function choiceCost(g: CostGraph, choice: readonly number[]): number {
  let s = 0;
  g.nodes.forEach((n, i) => { s += n.costSeconds[choice[i]]; });
  for (const e of g.edges) s += e.costSeconds[e.fromGroup[choice[e.from]]][e.toGroup[choice[e.to]]];
  return s;
}

export function choiceMemory(g: CostGraph, choice: readonly number[]): number {
  let m = 0;
  g.nodes.forEach((n, i) => { m += n.memoryBytes[choice[i]]; });
  return m;
}

/** The smallest per-device memory any choice reaches (memory is a sum of per-node terms) and that choice. */
export function minimumMemory(g: CostGraph): { bytes: number; choice: number[] } {
  const choice = g.nodes.map((n) => {
    let best = 0;
    n.memoryBytes.forEach((m, k) => { if (m < n.memoryBytes[best] || (m === n.memoryBytes[best] && n.costSeconds[k] < n.costSeconds[best])) best = k; });
    return best;
  });
  return { bytes: choiceMemory(g, choice), choice };
}

/** Each node's cheapest strategy on its own (a fallback when the solver returns nothing). */
export function greedyChoice(g: CostGraph): number[] {
  return g.nodes.map((n) => n.costSeconds.reduce((b, c, k) => (c < n.costSeconds[b] ? k : b), 0));
}

function regroup(lists: readonly (readonly number[])[], count: number): { group: number[]; members: number[][] } {
  const index = new Map<string, number>();
  const members: number[][] = [];
  const group = Array.from({ length: count }, (_, k) => {
    const key = lists.map((l) => l[k]).join(',');
    let g = index.get(key);
    if (g === undefined) { g = members.length; index.set(key, g); members.push(lists.map((l) => l[k])); }
    return g;
  });
  return { group, members };
}

/** One edge per (from, to) pair: parallel edges (several tensors between the same two nodes) become one whose groups
 * are the tuples of the parts' groups and whose cost is their sum. Exact; fewer edge variables. */
export function mergeParallelEdges(g: CostGraph): CostGraph {
  const byPair = new Map<string, CostEdge[]>();
  for (const e of g.edges) {
    const key = `${e.from}>${e.to}`;
    byPair.set(key, [...(byPair.get(key) ?? []), e]);
  }
  const edges = [...byPair.values()].map((parts): CostEdge => {
    if (parts.length === 1) return parts[0];
    const { from, to } = parts[0];
    const f = regroup(parts.map((p) => p.fromGroup), g.nodes[from].costSeconds.length);
    const t = regroup(parts.map((p) => p.toGroup), g.nodes[to].costSeconds.length);
    const costSeconds = f.members.map((fm) => t.members.map((tm) => parts.reduce((s, p, i) => s + p.costSeconds[fm[i]][tm[i]], 0)));
    return { from, to, fromGroup: f.group, toGroup: t.group, costSeconds };
  });
  return { nodes: g.nodes, edges };
}
