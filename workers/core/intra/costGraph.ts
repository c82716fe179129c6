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
