/**
 * The baselines (baselines/index.ts says what each fixes) planned as real Plans: the uniform ones (megatron, dp,
 * zero3) through the same stage pricing and assembly as the search, the searched ones (intra-only, inter-only) by
 * the search on a narrowed space.
 */
import { plainSchedule } from '../inter/schedulePricing.ts';
import { INTER_ONLY_LAYERS, megatronGrid } from '../baselines/index.ts';
import { uniformCandidate, type ProfileMemo, type UniformResult, type UniformSpec } from '../baselines/uniform.ts';
import type { Candidate } from '../inter/search.ts';
import { manualProfileFn, type PlanContext } from '../inter/context.ts';
import { fusedAttentionOf } from './context.ts';
import { runLayerConstruction } from '../inter/layerConstruction.ts';
import { MEGATRON, type ManualStrategy } from '../inter/manualProfile.ts';
import { PlacementError } from '../inter/placement.ts';
import type { BaselineKind, Plan, SearchTraceEntry } from '../inter/plan.ts';
import type { ProfileFn } from '../inter/profileUnits.ts';
import { cancellationPoint, type CancelSignal } from '../progress.ts';
import type { UnitProfile } from '../inter/unitProfile.ts';
import type { ZeroLevel } from '../inter/zeroStages.ts';
import { seqStrategy, ulyssesProblem } from '../inter/seqParallel.ts';
import type { ProgressCallback } from '../progress.ts';
import { assemblePlan } from './assemble.ts';
import { rankPlans, searchedPlans, shardingFor } from './searched.ts';

export type BaselineResult =
  | { readonly ok: true; readonly plans: readonly Plan[]; readonly trace: readonly SearchTraceEntry[] }
  | { readonly ok: false; readonly reason: string };

async function uniformPlan(ctx: PlanContext, kind: BaselineKind, label: string, spec: UniformSpec, memo: ProfileMemo, started: number): Promise<Plan | string> {
  const r = await uniformCandidate(ctx, spec, memo);
  return r.ok ? assembleUniform(ctx, kind, label, spec, r, started) : r.reason;
}

function assembleUniform(ctx: PlanContext, kind: BaselineKind, label: string, spec: UniformSpec, r: Extract<UniformResult, { ok: true }>, started: number): Plan | string {
  try {
    return assemblePlan({
      kind, label, graph: ctx.graph, cluster: ctx.cluster, space: r.space, clustering: r.clustering, mode: ctx.options.mode,
      globalBatch: ctx.options.globalBatch, schedule: plainSchedule(ctx.options.schedule), candidate: r.candidate,
      memoryLimitBytes: ctx.memoryLimitBytes, searchSeconds: (Date.now() - started) / 1000,
      ...(ctx.describeSharding ? { shardingOf: shardingFor(ctx, r.cost) } : {}),
      ...(fusedAttentionOf(ctx) ? { fusedAttention: true } : {}),
    });
  } catch (err) {
    if (err instanceof PlacementError) return `${spec.pp} sub-meshes of ${spec.dp * (spec.strategy.contextParallel?.degree ?? 1) * spec.tp} GPUs do not pack into the nodes: ${err.message}`;
    throw err;
  }
}

function devicesOf(ctx: PlanContext): { total: number; perNode: number } {
  return { total: ctx.cluster.nodes.reduce((s, n) => s + n.gpus, 0), perNode: ctx.cluster.nodes[0]?.gpus ?? 1 };
}

/**
 * A lower bound on the simulated step of a uniform candidate (1F1B-family schedules): stage k's device runs every
 * micro-batch's forward and backward one after another, after the first micro-batch has come through the stages
 * before it and before the last one's gradient has gone back through them (sends only add). Interleaved chunks
 * split the stages before k, ZB-H1 defers their weight gradients and ZB-V's device k also holds a chunk past the
 * others, so there only the device's own work counts.
 */
export function stepLowerBound(ctx: PlanContext, c: Candidate): number {
  const training = ctx.training;
  const schedule = training ? ctx.options.schedule : 'inference';
  const prefixForward = schedule !== 'interleaved' && schedule !== 'zb-v';
  const prefixBackward = training && schedule !== 'interleaved' && schedule !== 'zb-h1' && schedule !== 'zb-v';
  let before = 0;
  let bound = 0;
  for (const s of c.stages) {
    const f = s.core.forwardSeconds;
    const b = training ? s.core.backwardSeconds : 0;
    bound = Math.max(bound, before + c.microbatches * (f + b));
    before += (prefixForward ? f : 0) + (prefixBackward ? b : 0);
  }
  return bound;
}

/** `bestOnly`: only the best plan is wanted (the search's seeds): Megatron grid points that cannot beat the best
 * assembled so far are not assembled (their trace entries say so). */
export async function runBaseline(kind: BaselineKind, ctx: PlanContext, searchProfile: ProfileFn, started: number,
  progress?: ProgressCallback, signal?: CancelSignal, memo: ProfileMemo = new Map(), bestOnly = false): Promise<BaselineResult> {
  const { total, perNode } = devicesOf(ctx);
  const single = (label: string, spec: UniformSpec) => uniformPlan(ctx, kind, label, spec, memo, started)
    .then((p): BaselineResult => (typeof p === 'string' ? { ok: false, reason: `${label}: ${p}` } : { ok: true, plans: [p], trace: [traceOf(p)] }));
  switch (kind) {
    case 'megatron': {
      const { dp, tp, pp, zero, sp, cp = 1, cpKind = 'ring' } = ctx.options;
      // 'auto': every ZeRO level at each grid point, the fastest kept (ranked together).
      const levels: readonly ZeroLevel[] = zero === 'auto' ? [0, 1, 2, 3] : [zero ?? 0];
      // Megatron-LM's --sequence-parallel when asked ('on'), its --context-parallel-size when cp > 1.
      const seq = seqStrategy({ sp: sp === 'on', cp, cpKind });
      const strategyOf = (z: ZeroLevel): ManualStrategy => ({ ...MEGATRON, ...(z ? { zeroStage: z } : {}), ...seq });
      const suffix = (z: ZeroLevel) => (z ? ` zero=${z}` : '') + (cp > 1 ? ` cp=${cp} (${cpKind})` : '');
      const spLabel = (t: number): string => (sp === 'on' && t > 1 ? ' sp' : '');
      const cpText = cp > 1 ? 'cp*' : '';
      if (dp !== undefined || tp !== undefined || pp !== undefined) {
        const t = tp ?? 1;
        const p = pp ?? 1;
        const d = dp ?? total / (cp * t * p);
        if (!Number.isInteger(d) || d * cp * t * p !== total) return { ok: false, reason: `dp*${cpText}tp*pp = ${d}*${cp > 1 ? `${cp}*` : ''}${t}*${p} must equal the ${total} GPUs` };
        if (levels.length === 1) {
          const heads = cp > 1 && cpKind === 'ulysses' ? ulyssesProblem(ctx.graph, t, cp) : undefined;
          if (heads) return { ok: false, reason: heads };
          return single(`Megatron dp=${d} tp=${t} pp=${p}${spLabel(t)}${suffix(levels[0])}`, { dp: d, tp: t, pp: p, strategy: strategyOf(levels[0]) });
        }
      }
      if (total % cp !== 0) return { ok: false, reason: `cp=${cp} does not divide the ${total} GPUs` };
      const fixed = dp !== undefined || tp !== undefined || pp !== undefined;
      const grid = fixed ? [{ dp: dp ?? total / (cp * (tp ?? 1) * (pp ?? 1)), tp: tp ?? 1, pp: pp ?? 1 }] : megatronGrid(total / cp, perNode);
      const all = grid.flatMap((g) => levels.map((z) => ({ ...g, z })));
      // Per point (grid order: ties between points rank as before): its trace entry and plan, if assembled.
      const trace: SearchTraceEntry[] = new Array(all.length);
      const assembled: (Plan | undefined)[] = new Array(all.length);
      const points: { k: number; label: string; spec: UniformSpec; r: Extract<UniformResult, { ok: true }>; bound: number }[] = [];
      for (let k = 0; k < all.length; k++) {
        await cancellationPoint(signal);
        const g = all[k];
        const label = `Megatron dp=${g.dp} tp=${g.tp} pp=${g.pp}${spLabel(g.tp)}${suffix(g.z)}`;
        const spec = { dp: g.dp, tp: g.tp, pp: g.pp, strategy: strategyOf(g.z) };
        const heads = cp > 1 && cpKind === 'ulysses' ? ulyssesProblem(ctx.graph, g.tp, cp) : undefined;
        const r = heads ? { ok: false as const, reason: heads } : await uniformCandidate(ctx, spec, memo);
        if (!r.ok) trace[k] = { label, stepSeconds: Infinity, feasible: false, note: r.reason };
        else points.push({ k, label, spec, r, bound: bestOnly ? stepLowerBound(ctx, r.candidate) : 0 });
        progress?.({ phase: 'megatron grid', done: k + 1, total: all.length });
      }
      // For the grid's best alone (the search's seed), points are assembled cheapest bound first, and those whose
      // bound a feasible plan already beats are skipped: assembly (placement, schedule simulation) is the cost.
      if (bestOnly) points.sort((a, b) => a.bound - b.bound || a.k - b.k);
      let bestFeasible = Infinity;
      for (const x of points) {
        if (x.bound >= bestFeasible) {
          trace[x.k] = { label: x.label, stepSeconds: x.bound, feasible: true, note: `pruned: at least ${x.bound.toPrecision(4)} s` };
          continue;
        }
        const p = assembleUniform(ctx, kind, x.label, x.spec, x.r, started);
        if (typeof p === 'string') { trace[x.k] = { label: x.label, stepSeconds: Infinity, feasible: false, note: p }; continue; }
        assembled[x.k] = p;
        trace[x.k] = traceOf(p);
        if (p.feasible) bestFeasible = Math.min(bestFeasible, p.stepSeconds);
      }
      const plans = assembled.filter((p): p is Plan => p !== undefined);
      if (!plans.length) return { ok: false, reason: fixed ? trace.map((t) => `${t.label}: ${t.note}`).join('; ') : 'no Megatron grid point fits the cluster' };
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
