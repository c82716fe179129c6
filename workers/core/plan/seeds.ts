/**
 * The baselines' layouts as seeds of the search (issue 14): the searched plan is the fastest, by simulated step
 * time under the same cost model, of the stage DP's slicings and of every baseline's plan (each Megatron grid
 * point, data parallel, ZeRO-3, intra-op only, inter-op only), so it is never slower than any of them. The DP's
 * objective is not the simulated step (placement, transfers and the schedule are priced after it) and its layers
 * are coarser than a hand-made pipeline's, so the DP alone does not guarantee that; the seeds do.
 * Seeds are assembled without their per-operator sharding (the step time alone decides); a seed that wins is
 * rebuilt with it, at its own micro-batch count only.
 */
import { BASELINE_KINDS } from '../baselines/index.ts';
import { runBaseline, type BaselineResult } from './baselines.ts';
import type { ProfileMemo } from '../baselines/uniform.ts';
import type { ProfileFn } from '../inter/profileUnits.ts';
import type { CancelSignal } from '../progress.ts';
import type { PlanContext } from './context.ts';
import type { BaselineKind, Plan, ProgressCallback, SearchTraceEntry } from './types.ts';

export interface Seed {
  readonly kind: BaselineKind;
  /** The baseline's best plan, without per-operator sharding. */
  readonly plan: Plan;
}

/** Each baseline's own answer, feasible or not (what-if sweeps show all of them without planning them again). */
export type BaselineOutcome =
  | { readonly kind: BaselineKind; readonly ok: true; readonly plan: Plan }
  | { readonly kind: BaselineKind; readonly ok: false; readonly reason: string };

export interface SeedRun {
  readonly seeds: readonly Seed[];
  readonly outcomes: readonly BaselineOutcome[];
  readonly trace: readonly SearchTraceEntry[];
}

/** The options that pin a baseline to one of its plans: its grid point (Megatron) and micro-batch count. */
function pinnedOptions(seed: Seed): Partial<PlanContext['options']> {
  const first = seed.plan.stages[0];
  const cp = first.contextParallel?.degree ?? 1;
  const grid = seed.kind === 'megatron' ? { dp: first.logicalMesh[0] / cp, tp: first.logicalMesh[1], pp: seed.plan.stages.length } : {};
  return { ...grid, microbatches: seed.plan.microbatches };
}

/** The seeds' options: dp/tp/pp dropped (the whole grid is a seed); a ZeRO level the search forces is the Megatron
 * seeds' too, 'auto' is the DP's choice (the seeds keep Megatron-LM's replicated optimizer). */
function seedOptions(options: PlanContext['options']): PlanContext['options'] {
  const { dp: _dp, tp: _tp, pp: _pp, zero, ...rest } = options;
  return zero === undefined || zero === 'auto' ? rest : { ...rest, zero };
}

/** Runs every baseline on the search's context; with a forced ZeRO level only the Megatron grid (the other
 * baselines fix their own). */
export async function runSeeds(ctx: PlanContext, searchProfile: ProfileFn, started: number, memo: ProfileMemo,
  progress?: ProgressCallback, signal?: CancelSignal): Promise<SeedRun> {
  const options = seedOptions(ctx.options);
  const seedCtx: PlanContext = { ...ctx, options, describeSharding: false };
  const seeds: Seed[] = [];
  const outcomes: BaselineOutcome[] = [];
  const trace: SearchTraceEntry[] = [];
  // A forced ZeRO level or context-parallel degree leaves only the baseline that can run it (Megatron: its
  // distributed optimizer, --context-parallel-size).
  const forcedCp = ctx.options.cp !== undefined && ctx.options.cp > 1;
  const kinds = options.zero === undefined && !forcedCp ? BASELINE_KINDS : BASELINE_KINDS.filter((k) => k === 'megatron');
  for (const [k, kind] of kinds.entries()) {
    const r: BaselineResult = await runBaseline(kind, seedCtx, searchProfile, started, undefined, signal, memo, true);
    progress?.({ phase: 'baseline seeds', done: k + 1, total: kinds.length });
    if (!r.ok) {
      outcomes.push({ kind, ok: false, reason: r.reason });
      trace.push({ label: `seed ${kind}`, stepSeconds: Infinity, feasible: false, note: r.reason });
      continue;
    }
    const best = r.plans[0];
    outcomes.push({ kind, ok: true, plan: best });
    // Only a plan that fits, and keeps an expert-parallel degree the options force, can be the searched plan; any
    // other stays in the trace.
    const ep = ctx.options.ep;
    if (best.feasible && (ep === undefined || best.stages.every((st) => st.expertParallel === undefined || st.expertParallel === ep))) seeds.push({ kind, plan: best });
    trace.push({ label: `seed ${kind}: ${best.label}`, stepSeconds: best.stepSeconds, feasible: best.feasible, note: `B=${best.microbatches}` });
  }
  return { seeds, outcomes, trace };
}

/**
 * The seed rebuilt as the searched plan: the same layout, step and memory, with its per-operator sharding.
 * Throws if the baseline no longer yields the seed's plan (a bug: the pinned run must reproduce it).
 */
export async function rebuildSeed(ctx: PlanContext, seed: Seed, searchProfile: ProfileFn, started: number, memo: ProfileMemo,
  signal?: CancelSignal): Promise<Plan> {
  const options = { ...seedOptions(ctx.options), ...pinnedOptions(seed) };
  const pinned: PlanContext = { ...ctx, options, microbatchCounts: [seed.plan.microbatches] };
  const r = await runBaseline(seed.kind, pinned, searchProfile, started, undefined, signal, memo);
  const p = r.ok ? r.plans[0] : undefined;
  if (!p || Math.abs(p.stepSeconds - seed.plan.stepSeconds) > 1e-9 * seed.plan.stepSeconds) {
    throw new Error(`rebuildSeed: ${seed.plan.label} at B=${seed.plan.microbatches} gave ${p ? `${p.stepSeconds} s` : (r.ok ? 'no plan' : r.reason)}, seed ${seed.plan.stepSeconds} s`);
  }
  return { ...p, kind: 'searched', label: `Meshplan (seed: ${p.label})` };
}
