/**
 * Baselines, each a real Plan through the same cost model (alpa.md §5 "Baselines"):
 * - megatron: Megatron-LM v2, grid over (DP, TP, PP) with uniform layers, replicated optimizer; best of the grid,
 *   or the point given by dp/tp/pp;
 * - dp: pure data parallelism (experts spread over the data-parallel devices when the model has them:
 *   DeepSpeed's DP + expert parallelism);
 * - zero3: data parallelism with parameters, gradients and optimizer state sharded (ZeRO-3);
 * - intra-only: one stage over the whole cluster, sharded by the intra-op pass (Alpa's ablation);
 * - inter-only: the stage DP with data parallelism only inside stages (pipeline + DP).
 */
import type { ProfileFn } from '../inter/stageCosts.ts';
import type { UnitProfile } from '../inter/unitProfile.ts';
import type { ManualStrategy } from '../inter/manualProfile.ts';
import { MEGATRON } from '../inter/manualProfile.ts';
import { runLayerConstruction } from '../inter/layerConstruction.ts';
import { assemblePlan } from '../plan/assemble.ts';
import { PlacementError } from '../inter/placement.ts';
import { manualProfileFn, type PlanContext } from '../plan/context.ts';
import { rankPlans, searchedPlans, shardingFor } from '../plan/searched.ts';
import type { BaselineKind, Plan, SearchTraceEntry } from '../inter/plan.ts';
import type { ProgressCallback } from '../progress.ts';
import type { CancelSignal } from '../inter/stageCosts.ts';
import { uniformCandidate, type ProfileMemo, type UniformSpec } from './uniform.ts';

export type BaselineResult =
  | { readonly ok: true; readonly plans: readonly Plan[]; readonly trace: readonly SearchTraceEntry[] }
  | { readonly ok: false; readonly reason: string };

/** Layers of the inter-only baseline's clustering. */
export const INTER_ONLY_LAYERS = 64;

export const BASELINE_KINDS: readonly BaselineKind[] = ['megatron', 'dp', 'zero3', 'intra-only', 'inter-only'];

async function uniformPlan(ctx: PlanContext, kind: BaselineKind, label: string, spec: UniformSpec, memo: ProfileMemo, started: number): Promise<Plan | string> {
  const r = await uniformCandidate(ctx, spec, memo);
  if (!r.ok) return r.reason;
  try {
    return assemblePlan({
      kind, label, graph: ctx.graph, cluster: ctx.cluster, space: r.space, clustering: r.clustering, mode: ctx.options.mode,
      globalBatch: ctx.options.globalBatch, schedule: ctx.options.schedule, candidate: r.candidate,
      memoryLimitBytes: ctx.memoryLimitBytes, searchSeconds: (Date.now() - started) / 1000,
      shardingOf: shardingFor(ctx, r.cost),
    });
  } catch (err) {
    if (err instanceof PlacementError) return `${spec.pp} sub-meshes of ${spec.dp * spec.tp} GPUs do not pack into the nodes: ${err.message}`;
    throw err;
  }
}

function devicesOf(ctx: PlanContext): { total: number; perNode: number } {
  return { total: ctx.cluster.nodes.reduce((s, n) => s + n.gpus, 0), perNode: ctx.cluster.nodes[0]?.gpus ?? 1 };
}

/** Grid points (dp, tp, pp): tp a power of two within a node, dp * tp * pp = GPUs. */
export function megatronGrid(total: number, perNode: number): { dp: number; tp: number; pp: number }[] {
  const out: { dp: number; tp: number; pp: number }[] = [];
  for (let tp = 1; tp <= perNode; tp *= 2) {
    if (total % tp !== 0) continue;
    for (let pp = 1; pp <= total / tp; pp++) if ((total / tp) % pp === 0) out.push({ dp: total / tp / pp, tp, pp });
  }
  return out;
}

export async function runBaseline(kind: BaselineKind, ctx: PlanContext, searchProfile: ProfileFn, started: number,
  progress?: ProgressCallback, signal?: CancelSignal, memo: ProfileMemo = new Map()): Promise<BaselineResult> {
  const { total, perNode } = devicesOf(ctx);
  const single = (label: string, spec: UniformSpec) => uniformPlan(ctx, kind, label, spec, memo, started)
    .then((p): BaselineResult => (typeof p === 'string' ? { ok: false, reason: `${label}: ${p}` } : { ok: true, plans: [p], trace: [traceOf(p)] }));
  switch (kind) {
    case 'megatron': {
      const { dp, tp, pp } = ctx.options;
      if (dp !== undefined || tp !== undefined || pp !== undefined) {
        const t = tp ?? 1;
        const p = pp ?? 1;
        const d = dp ?? total / (t * p);
        if (!Number.isInteger(d) || d * t * p !== total) return { ok: false, reason: `dp*tp*pp = ${d}*${t}*${p} must equal the ${total} GPUs` };
        return single(`Megatron dp=${d} tp=${t} pp=${p}`, { dp: d, tp: t, pp: p, strategy: MEGATRON });
      }
      const plans: Plan[] = [];
      const trace: SearchTraceEntry[] = [];
      const grid = megatronGrid(total, perNode);
      for (let k = 0; k < grid.length; k++) {
        if (signal?.aborted) throw signal.reason ?? new Error('aborted');
        const g = grid[k];
        const label = `Megatron dp=${g.dp} tp=${g.tp} pp=${g.pp}`;
        const p = await uniformPlan(ctx, kind, label, { ...g, strategy: MEGATRON }, memo, started);
        if (typeof p === 'string') trace.push({ label, stepSeconds: Infinity, feasible: false, note: p });
        else { plans.push(p); trace.push(traceOf(p)); }
        progress?.({ phase: 'megatron grid', done: k + 1, total: grid.length });
      }
      if (!plans.length) return { ok: false, reason: 'no Megatron grid point fits the cluster' };
      return { ok: true, plans: rankPlans(plans), trace };
    }
    case 'dp': {
      const strategy: ManualStrategy = { tensorParallel: false, expertParallel: ctx.hasExperts, zeroStage: 0 };
      return single(ctx.hasExperts ? 'data + expert parallel' : 'data parallel', { dp: total, tp: 1, pp: 1, strategy });
    }
    case 'zero3':
      return single('ZeRO-3', { dp: total, tp: 1, pp: 1, strategy: { tensorParallel: false, expertParallel: false, zeroStage: 3 } });
    case 'intra-only': {
      const key = 'search';
      let profiles = memo.get(key);
      if (!profiles) memo.set(key, (profiles = new Map<string, UnitProfile>()));
      const r = await searchedPlans(ctx, kind, 'intra-op only', searchProfile, { wholeClusterOnly: true }, 1, profiles, started, progress, signal);
      // Sharding parameters over the data-parallel axis as well (ZeRO-3 on axis 0) fits models that replicated
      // weights cannot; the ILP can choose it, the fixed strategies are tried both ways.
      const zero: ManualStrategy = { tensorParallel: true, expertParallel: ctx.hasExperts, zeroStage: 3 };
      const zkey = JSON.stringify(zero);
      let zprofiles = memo.get(zkey);
      if (!zprofiles) memo.set(zkey, (zprofiles = new Map<string, UnitProfile>()));
      const z = await searchedPlans(ctx, kind, 'intra-op only', manualProfileFn(ctx, zero), { wholeClusterOnly: true }, 1, zprofiles, started, progress, signal);
      const plans = rankPlans([...r.plans, ...z.plans]);
      return plans.length ? { ok: true, plans, trace: [...r.trace, ...z.trace] } : { ok: false, reason: 'intra-op only: no plan (whole-cluster sub-mesh)' };
    }
    case 'inter-only': {
      const strategy: ManualStrategy = { tensorParallel: false, expertParallel: false, zeroStage: 1 };
      const key = JSON.stringify(strategy);
      let profiles = memo.get(key);
      if (!profiles) memo.set(key, (profiles = new Map<string, UnitProfile>()));
      // Without tensor parallelism a stage holds whole layers: finer layers let more, smaller stages fit.
      const fine = { ...ctx, clustering: runLayerConstruction(ctx.graph, { layers: INTER_ONLY_LAYERS }) };
      const r = await searchedPlans(fine, kind, 'inter-op only (pipeline + data parallel)', manualProfileFn(ctx, strategy),
        { logical: (l) => l[1] === 1 }, undefined, profiles, started, progress, signal);
      return r.plans.length ? { ok: true, plans: r.plans, trace: r.trace } : { ok: false, reason: 'inter-op only: no plan fits' };
    }
  }
}

export function traceOf(p: Plan): SearchTraceEntry {
  return { label: p.label, stepSeconds: p.stepSeconds, feasible: p.feasible, note: p.feasible ? `B=${p.microbatches}` : p.infeasibleReason };
}
