/**
 * Orchestration of the stage search: for each micro-batch count B (divisors of the global batch, most first),
 * re-price the layer costs for micro-batches of G / B samples, build the DP's options and solve, passing the best
 * objective so far so that the DP prunes whole micro-batch counts that cannot win. Returns the best slicing per B,
 * best first, and a trace of what was tried.
 */
import type { Cluster } from '../cluster/types.ts';
import type { ModelGraph } from '../ir/types.ts';
import type { SearchTraceEntry } from './plan.ts';
import type { ProgressCallback } from '../progress.ts';
import type { ScheduleKind } from '../schedule/types.ts';
import { pipelineChoices, solvePriced, type ScheduleChoice } from './schedulePricing.ts';
import type { LayerClustering } from './layerConstruction.ts';
import type { CostContext, LayerCosts } from './stageCosts.ts';
import { meshTables, searchTables } from './meshTables.ts';
import type { MeshChoice, MeshSpace, SubmeshChoice } from './meshSpace.ts';
import { cancellationPoint, type CancelSignal } from '../progress.ts';
import type { Recompute, StageCore, StageProblemInput } from './stageOptions.ts';
import { assembleStageProblem, buildStageProblem, submeshCells, type SubmeshCells } from './stageProblem.ts';
import { inputBytesOfRange } from './units.ts';
import type { ZeroLevel } from './zeroStages.ts';

export interface CandidateStage {
  readonly core: StageCore;
  readonly submesh: SubmeshChoice;
}

export interface Candidate {
  readonly microbatches: number;
  readonly microbatch: number;
  /** The DP's objective (seconds per step, before the schedule simulation). */
  readonly objectiveSeconds: number;
  readonly stages: readonly CandidateStage[];
  /** The schedule the DP priced it under (schedulePricing.ts), and interleaved 1F1B's chunks per device. */
  readonly schedule?: ScheduleKind;
  readonly virtualStages?: number;
}

export interface SearchInput {
  readonly cost: CostContext;
  readonly globalBatch: number;
  readonly microbatchCounts: readonly number[];
  readonly schedule: ScheduleChoice;
  readonly remat: readonly Recompute[];
  readonly memoryLimitBytes: readonly number[];
  readonly objective: 'step' | 'throughput';
  readonly maxStages?: number;
  /** See StageDpOptions.tMaxRelativeGap. */
  readonly tMaxRelativeGap: number;
  /** ZeRO levels per stage (StageProblemInput.zeroLevels). */
  readonly zeroLevels?: readonly ZeroLevel[];
  /** StageProblemInput.syncEveryStage: every stage's gradient sync priced, an upper bound on what the step exposes. */
  readonly syncEveryStage?: boolean;
  /** Logical meshes (strategy variants) the DP may use; absent: all (plan/alternatives.ts narrows it). */
  readonly keepMesh?: (mesh: MeshChoice) => boolean;
}

export interface SearchResult {
  readonly candidates: readonly Candidate[];
  readonly trace: readonly SearchTraceEntry[];
  readonly dpRuns: number;
}

/**
 * Divisors of n, descending, from its prime factorisation (trial division up to sqrt(n): 1e6 steps for n = 1e12,
 * where counting down from n took hours). n is a positive safe integer.
 */
export function divisorsDescending(n: number): number[] {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`divisorsDescending: ${n} is not a positive safe integer`);
  let divisors = [1];
  let rest = n;
  for (let p = 2; p * p <= rest; p++) {
    if (rest % p !== 0) continue;
    let power = 1;
    const next: number[] = [];
    while (rest % p === 0) { rest /= p; power *= p; for (const d of divisors) next.push(d * power); }
    divisors = divisors.concat(next);
  }
  if (rest > 1) divisors = divisors.concat(divisors.map((d) => d * rest));
  return divisors.sort((a, b) => b - a);
}

/** Activation bytes crossing into layers >= k from layers < k for the graph's batch (index 0 unused). */
export function boundaryBytesOf(clustering: LayerClustering): readonly number[] {
  let bytes = boundaryMemo.get(clustering);
  if (!bytes) {
    const K = clustering.unitGraph.units.length;
    bytes = clustering.layers.map((l) => (l.index === 0 ? 0 : inputBytesOfRange(clustering.crossings, l.unitStart, K)));
    boundaryMemo.set(clustering, bytes);
  }
  return bytes;
}

/** Per clustering: every micro-batch count's stage problem (and each sub-mesh's, built ahead) scales the same bytes. */
const boundaryMemo = new WeakMap<LayerClustering, readonly number[]>();

export function totalDevices(space: MeshSpace): number {
  return space.groups.reduce((s, g) => s + g.devices, 0);
}

/** The stage problem's input for B micro-batches, from the layer cost tables at G / B samples per micro-batch. */
function problemInput(x: SearchInput, B: number, tables: readonly (LayerCosts | undefined)[]): StageProblemInput {
  const { cost } = x;
  const L = cost.clustering.layers.length;
  const b = x.globalBatch / B;
  const r = b / cost.graph.batch;
  const baseSchedule: ScheduleKind = x.schedule === 'auto' || x.schedule === 'interleaved' ? '1f1b' : x.schedule;
  return {
    cluster: cost.cluster, space: cost.space, tables, layers: L,
    boundaryBytes: boundaryBytesOf(cost.clustering).map((v) => v * r), microbatch: b, microbatches: B, schedule: baseSchedule,
    remat: x.remat, memoryLimitBytes: x.memoryLimitBytes, training: cost.training, objective: x.objective,
    maxStages: Math.min(x.maxStages ?? L, L, totalDevices(cost.space)),
    ...(x.zeroLevels ? { zeroLevels: x.zeroLevels } : {}),
    ...(x.syncEveryStage ? { syncEveryStage: true } : {}),
    ...(baseSchedule !== x.schedule || x.schedule === 'zb-h1' || x.schedule === 'zb-v' ? { unitsPerLayer: cost.clustering.layers.map((l) => l.unitEnd - l.unitStart) } : {}),
  };
}

/**
 * A search's stage problems built ahead: per micro-batch count, each sub-mesh's options (stageProblem.ts
 * submeshCells) built once its meshes are profiled (searchedPlans runs `steps` while the other sub-meshes'
 * intra-op solves run); searchStages builds whatever was not.
 */
export class SearchPrep {
  private readonly built: (SubmeshCells | undefined)[][];

  constructor(private readonly x: SearchInput) {
    this.built = x.microbatchCounts.map(() => []);
  }

  /** Sub-mesh m's tables and options at every micro-batch count, one step per count. */
  steps(m: number): (() => void)[] {
    const { cost } = this.x;
    const ids = cost.space.submeshes[m].meshes.map((mesh) => mesh.id);
    return this.x.microbatchCounts.map((B, k) => () => {
      this.built[k][m] ??= submeshCells(problemInput(this.x, B, meshTables(cost, this.x.globalBatch / B, ids)), m);
    });
  }

  /** Every sub-mesh's options at microbatchCounts[k]: those built ahead, the others now. */
  cells(k: number, input: StageProblemInput): SubmeshCells[] {
    return this.x.cost.space.submeshes.map((_, m) => this.built[k][m] ?? submeshCells(input, m));
  }
}

export async function searchStages(x: SearchInput, progress?: ProgressCallback, signal?: CancelSignal, prep?: SearchPrep): Promise<SearchResult> {
  const { cost } = x;
  const candidates: Candidate[] = [];
  const trace: SearchTraceEntry[] = [];
  let best = Infinity;
  let dpRuns = 0;
  let last = 0;
  const counts = x.microbatchCounts;
  for (let k = 0; k < counts.length; k++) {
    await cancellationPoint(signal);
    const B = counts[k];
    const b = x.globalBatch / B;
    const label = `B=${B} (micro-batch ${b})`;
    // Meshes whose data-parallel axis does not divide the micro-batch offer the DP no option (stageOptions.ts).
    const tables = searchTables(cost, b);
    const input = problemInput(x, B, x.keepMesh ? tables.map((t, id) => (x.keepMesh!(cost.space.meshes[id]) ? t : undefined)) : tables);
    const { maxStages } = input;
    const baseSchedule = input.schedule;
    const { problem, metaOf, parts } = prep ? assembleStageProblem(input, prep.cells(k, input)) : buildStageProblem(input);
    for (const choice of pipelineChoices(x.schedule, B, maxStages)) {
      const named = choice.schedule === 'interleaved' ? `${label}, interleaved v=${choice.virtualStages}${choice.stages ? ` S=${choice.stages}` : ''}`
        : x.schedule === 'auto' ? `${label}, ${choice.schedule}` : label;
      const res = solvePriced(problem, parts, choice, baseSchedule, B, { tMaxRelativeGap: x.tMaxRelativeGap, bestKnown: best });
      dpRuns += res.dpRuns;
      // Interleaved stage counts that are pruned or do not fit are many: the trace keeps the ones that were solved.
      if (res.kind === 'infeasible') {
        if (!choice.stages) trace.push({ label: named, stepSeconds: Infinity, feasible: false, note: 'no slicing fits in memory' });
      } else if (res.kind === 'pruned') {
        if (!choice.stages) trace.push({ label: named, stepSeconds: res.lowerBoundSeconds, feasible: true, note: `pruned: at least ${res.lowerBoundSeconds.toPrecision(4)} s` });
      } else {
        best = Math.min(best, res.objectiveSeconds);
        const stages = res.stages.map((s) => ({ core: metaOf(s.option).core, submesh: cost.space.submeshes[s.mesh] }));
        candidates.push({
          microbatches: B, microbatch: b, objectiveSeconds: res.objectiveSeconds, stages,
          // One stage has no pipeline: every schedule is the same, named 1F1B under auto.
          ...(x.schedule === 'auto' || x.schedule === 'interleaved'
            ? { schedule: x.schedule === 'auto' && stages.length === 1 ? '1f1b' : choice.schedule, virtualStages: choice.virtualStages } : {}),
        });
        trace.push({ label: named, stepSeconds: res.objectiveSeconds, feasible: true, note: `${stages.length} stages, DP objective (${res.dpRuns} DP runs)` });
      }
    }
    const now = Date.now();
    if (progress && (now - last >= 100 || k === counts.length - 1)) { last = now; progress({ phase: 'stage DP', done: k + 1, total: counts.length }); }
  }
  candidates.sort((a, b) => a.objectiveSeconds - b.objectiveSeconds || b.microbatches - a.microbatches);
  return { candidates, trace, dpRuns };
}
