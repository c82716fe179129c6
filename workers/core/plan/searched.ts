/**
 * The searched plan (and the searched baselines, which only narrow the space): profile units on the mesh space,
 * run the stage DP per micro-batch count, then place and simulate the best few slicings; the simulated step time
 * decides among them.
 */
import { plainSchedule } from '../inter/schedulePricing.ts';
import { pricingGraph, type CostContext } from '../inter/stageCosts.ts';
import { buildMeshSpace, type MeshFilter } from '../inter/meshSpace.ts';
import { profileUnits, type ProfileFn } from '../inter/profileUnits.ts';
import { aheadOfProfiles } from '../inter/meshTables.ts';
import type { CancelSignal } from '../progress.ts';
import { SearchPrep, searchStages, type Candidate, type SearchInput } from '../inter/search.ts';
import type { UnitProfile } from '../inter/unitProfile.ts';
import { assemblePlan, type AssembleInput } from './assemble.ts';
import { narrowedPlans } from './alternatives.ts';
import { PlacementError } from '../inter/placement.ts';
import { gpuSpec } from '../cluster/topology.ts';
import { opSeconds } from '../cost/opCost.ts';
import { stageSharding } from './stageSharding.ts';
import { costContext, fusedAttentionOf, type PlanContext } from './context.ts';
import { searchBudgetProblem } from './budget.ts';
import type { Plan, PlanKind, PlanOptions, ProgressCallback, SearchTraceEntry } from './types.ts';
import type { ZeroLevel } from '../inter/zeroStages.ts';

/** The search's estimated work is past SEARCH_LIMITS (plan/budget.ts); plan() returns the message as its reason. */
export class SearchTooLarge extends Error {}

/** Slicings the DP ranks best (one per micro-batch count) that are also simulated. */
export const SIMULATED_CANDIDATES = 8;

export interface SearchedPlans {
  /** Best first: feasible before infeasible, then by samples per second. */
  readonly plans: readonly Plan[];
  readonly trace: readonly SearchTraceEntry[];
  readonly profiles: number;
  readonly dpRuns: number;
}

/** Builds each stage's per-operator sharding from the profiles its costs came from. */
export function shardingFor(ctx: PlanContext, cost: CostContext): NonNullable<AssembleInput['shardingOf']> {
  return (core, microbatch, memory) => {
    const space = cost.space;
    const at = pricingGraph(cost, microbatch);
    const gpu = gpuSpec(ctx.cluster, space.submeshes[space.meshes[core.meshId].shape].gpu);
    const priceOp = (op: number, tiles: number): number => {
      const c = opSeconds(at.graph.ops[op], at.tensors, gpu, ctx.options.precision, tiles);
      return c.forwardSeconds + (ctx.training ? c.backwardSeconds : 0);
    };
    return stageSharding(ctx.graph, cost.clustering, space, cost.profiles, core, microbatch, memory, priceOp);
  };
}

/** ZeRO levels the search tries per stage: the one forced, else 1-3 (ZeRO-0 is never cheaper than ZeRO-1 under the
 * cost model: the same collectives, more memory and a longer update), lowest first so that ties keep the lower. */
export function searchZeroLevels(zero: PlanOptions['zero']): readonly ZeroLevel[] {
  return zero === undefined || zero === 'auto' ? [1, 2, 3] : [zero];
}

/** How far (a fraction of the DP's objective) the simulated step and the later stages' exposed syncs must exceed the
 * objective before the micro-batch count is solved again with every sync priced: only where the DP was measurably
 * wrong, so plans it priced well cost nothing more. */
export const LATE_SYNC_GAP = 0.03;

/**
 * Whether a candidate's later-stage gradient syncs were exposed and the DP did not see it. In 1F1B stage j's last
 * backward ends about Σ_{k<j} b_k (+ sends) before the first stage's, so its sync shows by
 * max(0, sync_j - Σ_{k<j} b_k) past the first stage's end; the DP prices the first stage's sync alone. Both that
 * estimate (sends left out: it errs high) and the simulated step must exceed the objective by LATE_SYNC_GAP.
 */
export function lateSyncMispriced(candidate: Candidate, simulatedSeconds: number): boolean {
  const { stages, objectiveSeconds } = candidate;
  const margin = LATE_SYNC_GAP * objectiveSeconds;
  if (simulatedSeconds - objectiveSeconds <= margin || stages.length < 2) return false;
  let before = stages[0].core.backwardSeconds;
  let exposed = 0;
  for (let j = 1; j < stages.length; j++) {
    exposed = Math.max(exposed, stages[j].core.gradientSyncSeconds - before);
    before += stages[j].core.backwardSeconds;
  }
  return exposed - stages[0].core.gradientSyncSeconds > margin;
}

export function rankPlans(plans: readonly Plan[]): Plan[] {
  // samples/s: for training and latency G / step, for throughput the steady-state rate.
  return [...plans].sort((a, b) => Number(b.feasible) - Number(a.feasible) || b.samplesPerSecond - a.samplesPerSecond || a.stepSeconds - b.stepSeconds);
}

export async function searchedPlans(ctx: PlanContext, kind: PlanKind, label: string, profile: ProfileFn,
  filter: MeshFilter, maxStages: number | undefined, memo: Map<string, UnitProfile>, started: number,
  progress?: ProgressCallback, signal?: CancelSignal): Promise<SearchedPlans> {
  const space = buildMeshSpace(ctx.cluster, filter);
  if (space.meshes.length === 0) return { plans: [], trace: [{ label, stepSeconds: Infinity, feasible: false, note: 'no sub-mesh fits the filter' }], profiles: 0, dpRuns: 0 };
  const tooLarge = searchBudgetProblem(ctx, space);
  if (tooLarge) throw new SearchTooLarge(tooLarge);
  const cost = costContext(ctx, space, memo);
  const input: SearchInput = {
    cost,
    globalBatch: ctx.options.globalBatch,
    microbatchCounts: ctx.microbatchCounts,
    schedule: ctx.training ? ctx.options.schedule : 'inference',
    remat: ctx.remat,
    memoryLimitBytes: ctx.memoryLimitBytes,
    objective: !ctx.training && ctx.options.inferObjective === 'throughput' ? 'throughput' : 'step',
    maxStages,
    tMaxRelativeGap: 1e-3,
    // The searched plan chooses a ZeRO stage per stage; the searched baselines keep their strategy's.
    ...(kind === 'searched' && ctx.training ? { zeroLevels: searchZeroLevels(ctx.options.zero) } : {}),
  };
  // Each sub-mesh's cost tables and stage options are built once its meshes are profiled, while the other meshes'
  // intra-op solves run (inter/search.ts SearchPrep).
  const prep = new SearchPrep(input);
  const ahead = aheadOfProfiles(cost, ctx.clustering.unitGraph.units, space.submeshes.map((s) => s.meshes.map((m) => m.id)), (m) => prep.steps(m), signal);
  try {
    await profileUnits(ctx.clustering.unitGraph.units, space, profile, progress, signal, memo, ctx.concurrency, ahead.hooks);
  } finally {
    ahead.stop();
  }
  const res = await searchStages(input, progress, signal, prep);
  let dpRuns = res.dpRuns;
  const unplaced: SearchTraceEntry[] = [];
  const plans: Plan[] = [];
  const assemble = (candidate: Candidate): Plan | undefined => {
    try {
      return assemblePlan({
        kind, label, graph: ctx.graph, cluster: ctx.cluster, space, clustering: ctx.clustering, mode: ctx.options.mode,
        globalBatch: ctx.options.globalBatch, schedule: plainSchedule(ctx.options.schedule), candidate, memoryLimitBytes: ctx.memoryLimitBytes,
        searchSeconds: (Date.now() - started) / 1000,
        steadyState: !ctx.training && ctx.options.inferObjective === 'throughput',
        ...(ctx.describeSharding ? { shardingOf: shardingFor(ctx, cost) } : {}),
        ...(fusedAttentionOf(ctx) ? { fusedAttention: true } : {}),
      });
    } catch (err) {
      // Sub-mesh shapes of nodes whose GPU count is not a power of two do not always pack (alpa.md §3 assumes it is).
      if (!(err instanceof PlacementError)) throw err;
      unplaced.push({ label: `B=${candidate.microbatches}, ${candidate.stages.length} stages`, stepSeconds: candidate.objectiveSeconds, feasible: false, note: err.message });
      return undefined;
    }
  };
  const simulatedOf = new Map<Candidate, Plan>();
  for (const candidate of res.candidates.slice(0, SIMULATED_CANDIDATES)) {
    const p = assemble(candidate);
    if (p) { plans.push(p); simulatedOf.set(candidate, p); }
  }
  // A candidate the DP priced below the best simulated step whose later stages' gradient syncs it took as hidden,
  // and the simulator shows were not: solve its micro-batch count again with every stage's sync priced (an upper
  // bound; the optimum can only price higher, so counts priced above the best simulated step are skipped) and let
  // the simulator choose. The searched baselines keep the DP's pick: they show what their strategy's search gives.
  const resync: SearchTraceEntry[] = [];
  const bestStep = Math.min(...plans.filter((p) => p.feasible).map((p) => p.stepSeconds));
  for (const [candidate, p] of simulatedOf) {
    if (kind !== 'searched' || !ctx.training || candidate.objectiveSeconds >= bestStep || !lateSyncMispriced(candidate, p.stepSeconds)) continue;
    const again = await searchStages({ ...input, microbatchCounts: [candidate.microbatches], syncEveryStage: true }, undefined, signal);
    dpRuns += again.dpRuns;
    const safer = again.candidates[0];
    const q = safer && assemble(safer);
    if (q) plans.push(q);
    resync.push({ label: `B=${candidate.microbatches}, every stage's sync priced`, stepSeconds: safer?.objectiveSeconds ?? Infinity, feasible: safer !== undefined,
      note: `the DP's ${candidate.objectiveSeconds.toPrecision(4)} s simulated ${p.stepSeconds.toPrecision(4)} s${q ? `; this slicing simulates ${q.stepSeconds.toPrecision(4)} s` : ''}` });
  }
  // The DP's pick measurably mispriced: the same count under each narrowing a user could force (plan/alternatives.ts).
  const narrowed = kind === 'searched' ? await narrowedPlans(input, simulatedOf, ctx.hasExperts, assemble, signal) : undefined;
  if (narrowed) { plans.push(...narrowed.plans); dpRuns += narrowed.dpRuns; }
  const simulated: SearchTraceEntry[] = plans.map((p) => ({
    label: `simulated: B=${p.microbatches}, ${p.stages.length} stages${ctx.options.schedule === 'auto' || p.virtualStages ? `, ${p.schedule}${p.virtualStages ? ` v=${p.virtualStages}` : ''}` : ''}`,
    stepSeconds: p.stepSeconds,
    feasible: p.feasible,
    note: p.stages.map((s) => `${s.layers[0]}-${s.layers[1] - 1}@${s.submeshShape.join('x')}/${s.logicalMesh.join('x')}${s.remat ? 'r' : s.recompute === 'selective' ? 's' : ''}`).join(' '),
  }));
  return { plans: rankPlans(plans), trace: [...res.trace, ...resync, ...(narrowed?.trace ?? []), ...unplaced, ...simulated], profiles: memo.size, dpRuns };
}
