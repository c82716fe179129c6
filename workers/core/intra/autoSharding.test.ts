import { describe, expect, it } from 'vitest';
import { rng } from '../../../bench/fuzz/mutate.ts';
import { createHighsSolver } from '../solver/highs.ts';
import { toLpText } from '../solver/lpText.ts';
import { buildIlp, solveCostGraph } from './autoSharding.ts';
import { type CostEdge, type CostGraph, choiceCost, choiceMemory } from './costGraph.ts';

function randomGraph(seed: number): CostGraph {
  const r = rng(seed);
  const n = 2 + Math.floor(r() * 7); // 2..8 nodes
  const nodes = Array.from({ length: n }, () => {
    const k = 1 + Math.floor(r() * 4);
    return {
      costSeconds: Array.from({ length: k }, () => Math.round(r() * 1000) * 1e-6),
      memoryBytes: Array.from({ length: k }, () => Math.round(r() * 64) * 2 ** 20),
    };
  });
  const groups = (k: number): number[] => {
    const g = Math.max(1, Math.min(k, 1 + Math.floor(r() * k)));
    return Array.from({ length: k }, (_, i) => (i < g ? i : Math.floor(r() * g)));
  };
  const edge = (from: number, to: number): CostEdge => {
    const fromGroup = groups(nodes[from].costSeconds.length);
    const toGroup = groups(nodes[to].costSeconds.length);
    const nf = Math.max(...fromGroup) + 1;
    const nt = Math.max(...toGroup) + 1;
    return { from, to, fromGroup, toGroup, costSeconds: Array.from({ length: nf }, () => Array.from({ length: nt }, () => Math.round(r() * 2000) * 1e-6)) };
  };
  const edges: CostEdge[] = [];
  for (let to = 1; to < n; to++) {
    for (let from = 0; from < to; from++) {
      if (r() > 0.45) continue;
      edges.push(edge(from, to));
      // sometimes a second tensor between the same two nodes, grouped its own way (parallel edges)
      if (r() < 0.3) edges.push(edge(from, to));
    }
  }
  return { nodes, edges };
}

function bruteForce(g: CostGraph, budget?: number): { cost: number; feasible: boolean } {
  let best = Infinity;
  const choice = g.nodes.map(() => 0);
  const visit = (v: number): void => {
    if (v === g.nodes.length) {
      if (budget !== undefined && choiceMemory(g, choice) > budget) return;
      best = Math.min(best, choiceCost(g, choice));
      return;
    }
    for (let k = 0; k < g.nodes[v].costSeconds.length; k++) { choice[v] = k; visit(v + 1); }
  };
  visit(0);
  return { cost: best, feasible: Number.isFinite(best) };
}

describe('auto-sharding ILP', () => {
  const solver = createHighsSolver();

  it('matches brute-force enumeration on 40 seeded random cost graphs (<= 8 nodes, <= 4 strategies)', async () => {
    for (let seed = 1; seed <= 40; seed++) {
      const g = randomGraph(seed);
      // every third graph gets a memory budget between the smallest and the largest reachable memory
      const minMem = g.nodes.reduce((s, n) => s + Math.min(...n.memoryBytes), 0);
      const maxMem = g.nodes.reduce((s, n) => s + Math.max(...n.memoryBytes), 0);
      const budget = seed % 3 === 0 ? minMem + (maxMem - minMem) * 0.3 : undefined;
      const brute = bruteForce(g, budget);
      // once the plain ILP, once after folding tree parts away (reduceCostGraph)
      for (const reduce of [false, true]) {
        const sol = await solveCostGraph(g, solver, budget, { mipRelGap: 0, reduce });
        expect(`${sol.status} ${sol.message ?? ""}`, `seed ${seed}`).toBe("optimal ");
        expect(sol.objectiveSeconds, `seed ${seed} reduce ${reduce}`).toBeCloseTo(brute.cost, 9);
        if (budget !== undefined) expect(sol.memoryBytes).toBeLessThanOrEqual(budget);
      }
    }
  });

  it('answers infeasible with the smallest reachable memory when no choice fits the budget', async () => {
    const g: CostGraph = {
      nodes: [
        { costSeconds: [1e-3, 2e-3], memoryBytes: [400, 100] },
        { costSeconds: [1e-3, 5e-3, 2e-3], memoryBytes: [300, 50, 80] },
      ],
      edges: [],
    };
    const sol = await solveCostGraph(g, solver, 100);
    expect(sol.status).toBe('infeasible');
    expect(sol.minimumMemoryBytes).toBe(150);
    expect(sol.choice).toEqual([1, 1]);
  });

  it('a solver that stops without a solution yields a heuristic choice and says so', async () => {
    const g: CostGraph = {
      nodes: [{ costSeconds: [2e-3, 1e-3], memoryBytes: [0, 0] }, { costSeconds: [1e-3, 3e-3], memoryBytes: [0, 0] }],
      edges: [{ from: 0, to: 1, fromGroup: [0, 1], toGroup: [0, 1], costSeconds: [[0, 1e-3], [1e-3, 0]] }],
    };
    const stopped = { solve: async () => ({ status: 'time-limit' as const, objective: NaN, values: [], solveSeconds: 5 }) };
    const sol = await solveCostGraph(g, stopped, undefined, { reduce: false });
    expect(sol.status).toBe('time-limit');
    expect(sol.choice).toEqual([1, 0]);
    expect(sol.objectiveSeconds).toBeCloseTo(3e-3, 12);
    expect(sol.message).toContain('heuristic');
  });

  it('emits readable LP text: one-hot rows, edge rows, binaries', () => {
    const g: CostGraph = {
      nodes: [
        { costSeconds: [1e-6, 2e-6], memoryBytes: [0, 0] },
        { costSeconds: [3e-6, 4e-6], memoryBytes: [0, 0] },
      ],
      edges: [{ from: 0, to: 1, fromGroup: [0, 1], toGroup: [0, 0], costSeconds: [[5e-6], [0]] }],
    };
    // the consumer side has a single group, so the edge folds into node 0's costs: no edge variables
    const lp = toLpText(buildIlp(g).model);
    expect(lp).toContain(' obj: 6 s0_0 + 2 s0_1 + 3 s1_0 + 4 s1_1');
    expect(lp).toContain(' one0: s0_0 + s0_1 = 1');
    expect(lp).toContain('Binary\n s0_0 s0_1 s1_0 s1_1');
    const g2: CostGraph = { ...g, edges: [{ from: 0, to: 1, fromGroup: [0, 1], toGroup: [0, 1], costSeconds: [[0, 5e-6], [5e-6, 0]] }] };
    const lp2 = toLpText(buildIlp(g2).model);
    expect(lp2).toContain(' r0_0: e0_0_0 + e0_0_1 - s0_0 = 0');
    expect(lp2).toContain(' c0_1: e0_0_1 + e0_1_1 - s1_1 = 0');
    expect(lp2).toContain(' 0 <= e0_0_1 <= 1');
  });
});

describe('strategy pruning', () => {
  it('drops a strategy whose best case costs more than another strategy\'s worst case, and only that', async () => {
    const { pruneStrategies } = await import('./prune.ts');
    const g: CostGraph = {
      nodes: [
        { costSeconds: [1e-3, 1e-3, 9e-3], memoryBytes: [10, 10, 1] },
        { costSeconds: [1e-3, 2e-3], memoryBytes: [0, 0] },
      ],
      edges: [{ from: 0, to: 1, fromGroup: [0, 1, 2], toGroup: [0, 1], costSeconds: [[0, 2e-3], [2e-3, 0], [0, 0]] }],
    };
    // strategy 2 of node 0 costs 9 ms at best; strategies 0 and 1 at most 3 ms
    expect(pruneStrategies(g, false).kept).toEqual([[0, 1], [0, 1]]);
    // under a memory budget it stays: it is the only one needing 1 byte
    expect(pruneStrategies(g, true).kept).toEqual([[0, 1, 2], [0, 1]]);
  });
});
