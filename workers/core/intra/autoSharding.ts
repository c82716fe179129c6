/**
 * Alpa's intra-op ILP (alpa.md §1.3): one-hot strategy variables s_v per node, edge variables e_uv linearising
 * the resharding term s_u^T R_uv s_v, minimise Σ s_v·c_v + Σ e_uv·R_uv subject to an optional memory budget.
 * Edge variables are continuous in [0, 1] over (producer group x consumer group): with s binary, the row and column
 * sums pin them to the single active cell, so they need not be binary. Costs enter the LP in microseconds and
 * memory in MiB to keep HiGHS' tolerances meaningful.
 */
import type { MilpConstraint, MilpModel, MilpOptions, MilpSolver, MilpStatus, MilpVariable } from '../solver/types.ts';
import { type CostGraph, choiceCost, choiceMemory, greedyChoice, mergeParallelEdges, minimumMemory } from './costGraph.ts';
import { reduceCostGraph } from './eliminate.ts';
import { pruneStrategies } from './prune.ts';

const OBJECTIVE_SCALE = 1e6; // seconds -> microseconds
const MEMORY_SCALE = 2 ** -20; // bytes -> MiB

export interface IlpBuild {
  readonly model: MilpModel;
  /** Variable index of each node strategy, or -1 for a node with one strategy (a constant). */
  readonly nodeVars: readonly (readonly number[])[];
}

/** Builds the MILP of a cost graph. Single-strategy nodes become constants; edges with one group on a side fold into
 * the other side's node costs. */
export function buildIlp(g: CostGraph, memoryBudgetBytes?: number): IlpBuild {
  const variables: MilpVariable[] = [];
  const constraints: MilpConstraint[] = [];
  const nodeCost = g.nodes.map((n) => n.costSeconds.slice());
  let offset = 0;
  const edgeParts: { from: number; to: number; fromGroup: readonly number[]; toGroup: readonly number[]; cost: readonly (readonly number[])[] }[] = [];
  for (const e of g.edges) {
    const nFrom = e.costSeconds.length;
    const nTo = e.costSeconds[0]?.length ?? 0;
    const fromFixed = g.nodes[e.from].costSeconds.length === 1;
    const toFixed = g.nodes[e.to].costSeconds.length === 1;
    if ((nFrom === 1 || fromFixed) && (nTo === 1 || toFixed)) {
      offset += e.costSeconds[e.fromGroup[0]][e.toGroup[0]];
    } else if (nFrom === 1 || fromFixed) {
      const row = e.costSeconds[e.fromGroup[0]];
      nodeCost[e.to] = nodeCost[e.to].map((c, k) => c + row[e.toGroup[k]]);
    } else if (nTo === 1 || toFixed) {
      const col = e.toGroup[0];
      nodeCost[e.from] = nodeCost[e.from].map((c, k) => c + e.costSeconds[e.fromGroup[k]][col]);
    } else {
      edgeParts.push({ from: e.from, to: e.to, fromGroup: e.fromGroup, toGroup: e.toGroup, cost: e.costSeconds });
    }
  }
  const nodeVars = g.nodes.map((n, v) => {
    if (n.costSeconds.length === 1) { offset += nodeCost[v][0]; return [-1]; }
    const ids = n.costSeconds.map((_, k) => {
      variables.push({ name: `s${v}_${k}`, lowerBound: 0, upperBound: 1, binary: true, objective: nodeCost[v][k] * OBJECTIVE_SCALE });
      return variables.length - 1;
    });
    constraints.push({ name: `one${v}`, terms: ids.map((i) => [i, 1] as const), lowerBound: 1, upperBound: 1 });
    return ids;
  });
  edgeParts.forEach((e, ei) => {
    const cells: number[][] = e.cost.map((row, a) => row.map((c, b) => {
      variables.push({ name: `e${ei}_${a}_${b}`, lowerBound: 0, upperBound: 1, binary: false, objective: c * OBJECTIVE_SCALE });
      return variables.length - 1;
    }));
    e.cost.forEach((_, a) => {
      const terms: [number, number][] = cells[a].map((i) => [i, 1]);
      e.fromGroup.forEach((grp, k) => { if (grp === a) terms.push([nodeVars[e.from][k], -1]); });
      constraints.push({ name: `r${ei}_${a}`, terms, lowerBound: 0, upperBound: 0 });
    });
    (e.cost[0] ?? []).forEach((_, b) => {
      const terms: [number, number][] = cells.map((row) => [row[b], 1]);
      e.toGroup.forEach((grp, k) => { if (grp === b) terms.push([nodeVars[e.to][k], -1]); });
      constraints.push({ name: `c${ei}_${b}`, terms, lowerBound: 0, upperBound: 0 });
    });
  });
  if (memoryBudgetBytes !== undefined) {
    let fixed = 0;
    const terms: [number, number][] = [];
    g.nodes.forEach((n, v) => {
      if (nodeVars[v][0] < 0) fixed += n.memoryBytes[0];
      else n.memoryBytes.forEach((m, k) => { if (m !== 0) terms.push([nodeVars[v][k], m * MEMORY_SCALE]); });
    });
    if (terms.length) constraints.push({ name: 'memory', terms, lowerBound: -Infinity, upperBound: (memoryBudgetBytes - fixed) * MEMORY_SCALE });
  }
  return { model: { variables, constraints, objectiveOffset: offset * OBJECTIVE_SCALE }, nodeVars };
}

export interface IlpSolution {
  readonly status: MilpStatus;
  /** Strategy index per node (the minimum-memory choice when infeasible, each node's cheapest on error). */
  readonly choice: readonly number[];
  readonly objectiveSeconds: number;
  readonly memoryBytes: number;
  readonly minimumMemoryBytes: number;
  readonly variables: number;
  readonly constraints: number;
  readonly solveSeconds: number;
  readonly message?: string;
}

function decode(build: IlpBuild, values: readonly number[]): number[] {
  return build.nodeVars.map((ids) => {
    if (ids[0] < 0) return 0;
    let best = 0;
    ids.forEach((id, k) => { if (values[id] > values[ids[best]]) best = k; });
    return best;
  });
}

/** Solves the cost graph's ILP. A budget below the smallest reachable memory answers 'infeasible' without solving. */
export async function solveCostGraph(g: CostGraph, solver: MilpSolver, memoryBudgetBytes?: number,
  options: MilpOptions & { /** Prune dominated strategies and fold tree parts first (exact; default true). */ readonly reduce?: boolean } = {}): Promise<IlpSolution> {
  const minMem = minimumMemory(g);
  const budget = memoryBudgetBytes !== undefined;
  const merged = mergeParallelEdges(g);
  const pruned = options.reduce === false ? undefined : pruneStrategies(merged, budget);
  const reduction = pruned ? reduceCostGraph(pruned.graph, budget) : undefined;
  const build = reduction
    ? buildIlp(reduction.graph, budget ? (memoryBudgetBytes as number) - reduction.foldedMemoryBytes : undefined)
    : buildIlp(merged, memoryBudgetBytes);
  const size = { variables: build.model.variables.length, constraints: build.model.constraints.length };
  const answer = (status: MilpStatus, choice: readonly number[], solveSeconds: number, message?: string): IlpSolution => ({
    status, choice, objectiveSeconds: choiceCost(g, choice), memoryBytes: choiceMemory(g, choice),
    minimumMemoryBytes: minMem.bytes, ...size, solveSeconds, ...(message ? { message } : {}),
  });
  if (memoryBudgetBytes !== undefined && minMem.bytes > memoryBudgetBytes) {
    return answer('infeasible', minMem.choice, 0,
      `needs at least ${minMem.bytes} bytes per device, budget ${memoryBudgetBytes}`);
  }
  const res = await solver.solve(build.model, options);
  if (res.values.length === build.model.variables.length && (res.status === 'optimal' || res.status === 'time-limit')) {
    const choice = decode(build, res.values);
    const full = reduction && pruned ? reduction.expand(choice).map((k, v) => pruned.kept[v][k]) : choice;
    return answer(res.status, full, res.solveSeconds);
  }
  if (res.status === 'infeasible') {
    return answer('infeasible', minMem.choice, res.solveSeconds, `no strategy fits ${memoryBudgetBytes} bytes per device`);
  }
  const fallback = memoryBudgetBytes !== undefined ? minMem.choice : greedyChoice(g);
  return answer(res.status === 'time-limit' ? 'time-limit' : 'error', fallback, res.solveSeconds,
    res.message ?? `solver returned no solution (${res.status}); showing a heuristic choice`);
}
