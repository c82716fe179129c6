/**
 * The planner's entry (DESIGN.md): plan(model, cluster, options, progress, signal, deps) -> PlanResult.
 * Layer clustering, unit profiles (the intra-op pass once per distinct unit and logical mesh), the stage DP per
 * micro-batch count, placement and schedule simulation; or one of the baselines through the same cost model.
 */
import type { Cluster } from './cluster/types.ts';
import type { ModelGraph } from './ir/types.ts';
import { runBaseline } from './plan/baselines.ts';
import type { ManualStrategy } from './inter/manualProfile.ts';
import type { MeshFilter } from './inter/meshSpace.ts';
import type { ProfileFn } from './inter/profileUnits.ts';
import type { CancelSignal } from './progress.ts';
import type { UnitProfile } from './inter/unitProfile.ts';
import { createContext, intraProfileFn, manualProfileFn, PlanOptionError, type IntraFn, type PlanContext } from './plan/context.ts';
import { explain } from './plan/explain.ts';
import { rankPlans, SearchTooLarge, searchedPlans } from './plan/searched.ts';
import { rebuildSeed, runSeeds, type BaselineOutcome } from './plan/seeds.ts';
import type { ProfileMemo } from './baselines/uniform.ts';
import type { Plan, PlanOptions, ProgressCallback, SearchTraceEntry } from './plan/types.ts';
import type { MilpSolver } from './solver/types.ts';
import { createHighsSolver, runIntra } from './intra/index.ts';
import { totalDevices } from './cluster/topology.ts';
import { bytesPerParameter } from './cost/memory.ts';
import { inspectGraph } from './ir/inspect.ts';
import { runtimeTraits } from './inter/runtime.ts';
import { expertCount, expertGroupLink, expertVariants } from './inter/expertChoice.ts';
import { seqChoiceOf, seqStrategy, seqVariants } from './inter/seqParallel.ts';

export type PlanResult =
  | {
      readonly ok: true; readonly plan: Plan; readonly alternatives?: readonly Plan[];
      /** A search's seeds: every baseline's best plan (without per-operator sharding) or why it has none. */
      readonly baselines?: readonly BaselineOutcome[];
    }
  | { readonly ok: false; readonly reason: string };

export interface PlanDeps {
  readonly solver?: MilpSolver;
  /** The intra-op pass; 'manual' prices only the Megatron-style template (DP x TP, weight-update sharding),
   * without an ILP (fast; for tests). Default: runIntra on `solver` (one HiGHS module for the whole search). */
  readonly intra?: IntraFn | 'manual';
  /** Intra-op solves in flight at once: the size of the pool behind `intra` (default 1, in process). */
  readonly concurrency?: number;
  /** false: the plans come without each stage's per-operator sharding (a caller that prints none; default true). */
  readonly describeSharding?: boolean;
}

/** The search's fixed strategy when no intra-op pass is used: DP x TP (+ experts), weight-update sharding. */
export function searchStrategy(ctx: PlanContext): ManualStrategy {
  return { tensorParallel: true, expertParallel: ctx.hasExperts, zeroStage: 1 };
}

export { defaultPlanOptions } from './plan/defaults.ts';

/**
 * Strategy sources of the search, one mesh variant each; the DP picks per stage. 'template': Megatron-style
 * DP x TP with weight-update sharding (memory-lean; ZeRO levels re-priced per stage, inter/zeroStages.ts), experts
 * spread over all of axis 0 when the model has them; for MoE models also 'template-dense' (experts replicated over
 * axis 0 and split by TP: no all-to-all) and 'template-ep<e>' (expert groups of e devices of axis 0, every e that
 * divides axis 0 and the experts: inter/expertChoice.ts); 'ilp': the intra-op pass (fastest sharding, memory-unaware), on meshes with a model-parallel axis 1 only:
 * on (n, 1) it has nothing to add; 'ilp+sp' the same answer with SP where it is Megatron-shaped (ZeRO levels are
 * re-priced on both, from the weights the answer keeps replicated). Forcing a ZeRO level or an EP degree keeps the templates only.
 */
function profileSource(ctx: PlanContext, deps: PlanDeps): { profile: ProfileFn; filter: MeshFilter } {
  const manual = manualProfileFn(ctx, searchStrategy(ctx));
  const dense = manualProfileFn(ctx, { ...searchStrategy(ctx), expertParallel: false });
  const grouped = new Map<string, ProfileFn>();
  const experts = ctx.hasExperts ? expertCount(ctx.graph, ctx.tensors) : 0;
  // A template variant with sequence or context parallelism ('template+sp+cp2-ring', inter/seqParallel.ts).
  const seqFns = new Map<string, ProfileFn>();
  let intra = deps.intra;
  let ilp: ProfileFn | undefined;
  if (intra !== 'manual') {
    if (!intra) {
      const solver = deps.solver ?? createHighsSolver();
      intra = (input) => runIntra(input, solver);
    }
    // A unit the ILP cannot solve (or run with the variant's CP) is priced by the template with the same SP / CP.
    ilp = intraProfileFn(ctx, intra, (unit, mesh, sub) => profile(unit, { ...mesh, variant: mesh.variant.replace(/^ilp/, 'template') }, sub));
  }
  const forced = typeof ctx.options.zero === 'number' || ctx.options.ep !== undefined;
  const profile: ProfileFn = (unit, mesh, sub) => {
    const c = seqChoiceOf(mesh.variant);
    if (c.base === 'ilp' && ilp) return ilp(unit, mesh, sub);
    if (c.base !== mesh.variant) {
      let fn = seqFns.get(mesh.variant);
      if (!fn) {
        const epBase = /^template-ep(\d+)$/.exec(c.base);
        const base = c.base === 'template-dense' ? { expertParallel: false }
          : epBase ? { expertDegree: Number(epBase[1]), expertLink: expertGroupLink(ctx.cluster, mesh.canonical, mesh.logical, Number(epBase[1])) } : {};
        fn = manualProfileFn(ctx, { ...searchStrategy(ctx), ...base, ...seqStrategy(c) });
        seqFns.set(mesh.variant, fn);
      }
      return fn(unit, mesh, sub);
    }
    if (mesh.variant === 'template-dense') return dense(unit, mesh, sub);
    const ep = /^template-ep(\d+)$/.exec(mesh.variant);
    if (!ep) return manual(unit, mesh, sub);
    let fn = grouped.get(mesh.variant);
    if (!fn) {
      const degree = Number(ep[1]);
      fn = manualProfileFn(ctx, { ...searchStrategy(ctx), expertDegree: degree, expertLink: expertGroupLink(ctx.cluster, mesh.canonical, mesh.logical, degree) });
      grouped.set(mesh.variant, fn);
    }
    return fn(unit, mesh, sub);
  };
  return {
    profile,
    filter: {
      // Each template variant also with SP / CP (inter/seqParallel.ts), and the ILP's answer with them where sound.
      variantsOf: (l) => [
        // The ILP with and without SP / CP on its answer (inter/ilpSeqParallel.ts; one solve serves them all).
        ...(ilp && l[1] > 1 && !forced ? seqVariants('ilp', l, ctx.graph, ctx.options) : []),
        ...(ctx.hasExperts ? expertVariants(l, experts, ctx.options.ep) : ['template']).flatMap((t) => seqVariants(t, l, ctx.graph, ctx.options)),
      ],
    },
  };
}

/** At most one progress report per 100 ms, except a phase's first and last. */
function throttled(progress?: ProgressCallback): ProgressCallback | undefined {
  if (!progress) return undefined;
  let last = 0;
  let phase = '';
  return (p) => {
    const now = Date.now();
    if (p.phase !== phase || p.done === p.total || now - last >= 100) {
      last = now;
      phase = p.phase;
      progress(p);
    }
  };
}

function withExplanation(p: Plan, runnerUp: Plan | undefined, trace: readonly SearchTraceEntry[], started: number): Plan {
  return { ...p, trace, searchSeconds: (Date.now() - started) / 1000, explanation: explain(p, runnerUp) };
}

export async function plan(model: ModelGraph, cluster: Cluster, options: PlanOptions, progress?: ProgressCallback,
  signal?: CancelSignal, deps: PlanDeps = {}): Promise<PlanResult> {
  const started = Date.now();
  progress = throttled(progress);
  let ctx: PlanContext;
  try {
    ctx = createContext(model, cluster, options, deps.concurrency ?? 1);
    if (deps.describeSharding === false) ctx = { ...ctx, describeSharding: false };
  } catch (err) {
    if (err instanceof PlanOptionError) return { ok: false, reason: err.message };
    throw err;
  }
  try {
    return await planIn(ctx, deps, started, progress, signal);
  } catch (err) {
    if (err instanceof SearchTooLarge) return { ok: false, reason: `${model.name} on ${cluster.name}: ${err.message}` };
    throw err;
  }
}

async function planIn(ctx: PlanContext, deps: PlanDeps, started: number, progress?: ProgressCallback, signal?: CancelSignal): Promise<PlanResult> {
  const { graph: model, cluster, options } = ctx;
  const source = profileSource(ctx, deps);
  if (options.baseline) {
    const r = await runBaseline(options.baseline, ctx, source.profile, started, progress, signal);
    if (!r.ok) return r;
    const [best, ...rest] = r.plans;
    return { ok: true, plan: withExplanation(best, rest[0], r.trace, started), alternatives: rest };
  }
  const memo = new Map<string, UnitProfile>();
  // Every baseline's plan is a seed: the searched plan is never slower than any of them (plan/seeds.ts). Search and
  // seeds are independent, so the seeds run while the search waits for its intra-op solves (on another thread when
  // deps.intra runs them there; otherwise the two interleave at their awaits, with the same results). A search that
  // fails stops the seeds at their next cancellation point.
  let searchFailed = false;
  // Once the seeds fail (cancelled), the search's remaining progress (until its next cancellation point) is dropped.
  let seedsFailed = false;
  const searchProgress: ProgressCallback | undefined = progress && ((p) => { if (!seedsFailed) progress!(p); });
  const searching = searchedPlans(ctx, 'searched', 'Meshplan', source.profile, source.filter, undefined, memo, started, searchProgress, signal)
    .catch((err: unknown) => { searchFailed = true; throw err; });
  searching.catch(() => undefined);
  const seedSignal: CancelSignal = {
    get aborted() { return searchFailed || signal?.aborted === true; },
    get reason() { return signal?.reason; },
    ...(signal?.yieldToHost ? { yieldToHost: () => signal.yieldToHost!() } : {}),
  };
  const seedMemo: ProfileMemo = new Map();
  const seeded = await runSeeds(ctx, source.profile, started, seedMemo, progress, seedSignal).catch(async (err: unknown) => {
    seedsFailed = true;
    // The search's own error (e.g. too large) rather than the seeds' stop.
    if (searchFailed) await searching;
    throw err;
  });
  const r = await searching;
  const seedOf = new Map(seeded.seeds.map((s) => [s.plan, s]));
  const ranked = rankPlans([...r.plans, ...seeded.seeds.map((s) => s.plan)]);
  const trace = [...r.trace, ...seeded.trace];
  if (!ranked.length) {
    const why = r.trace.find((t) => !t.feasible)?.note ?? 'no slicing fits';
    return { ok: false, reason: `no feasible plan for ${model.name} on ${cluster.name}: ${why}${stateBoundNote(ctx)}` };
  }
  const seed = seedOf.get(ranked[0]);
  const best = seed ? await rebuildSeed(ctx, seed, source.profile, started, seedMemo, signal) : ranked[0];
  const runnerUp = ranked[1];
  const alternatives = ranked.slice(1).filter((p) => !seedOf.has(p));
  return { ok: true, plan: withExplanation(best, runnerUp, trace, started), alternatives, baselines: seeded.outcomes };
}

/**
 * Why nothing fits, in numbers: parameters, gradients and optimizer state spread evenly over every device is a lower
 * bound on any plan's memory; when even that exceeds the limit, say by how much.
 */
function stateBoundNote(ctx: PlanContext): string {
  if (ctx.options.mode !== 'train') return '';
  const params = inspectGraph(ctx.graph).params;
  const devices = totalDevices(ctx.cluster);
  const perDeviceBytes = (params * bytesPerParameter(ctx.options.precision)) / devices;
  const limitBytes = Math.max(...ctx.memoryLimitBytes);
  const gib = (b: number) => (b / 2 ** 30).toFixed(2);
  if (perDeviceBytes <= limitBytes) {
    const { stepsInFlight: steps, memoryFraction } = runtimeTraits(ctx.options.runtime);
    const inFlight = (steps > 1 ? `; the ${ctx.options.runtime} runtime holds ${steps} steps' gradients and activations at once` : '')
      + (memoryFraction < 1 && ctx.options.memoryLimitBytes === undefined
        ? `; the ${ctx.options.runtime} runtime's allocator is given ${100 * memoryFraction}% of HBM (XLA_PYTHON_CLIENT_MEM_FRACTION; --memory-gb states another limit)` : '');
    return ` (model state spread over all ${devices} GPUs would take ${gib(perDeviceBytes)} of the ${gib(limitBytes)} GiB ` +
      `per device; the activations and the state no plan can shard do not fit in the rest${inFlight})`;
  }
  return ` (parameters, gradients and optimizer state alone need ${gib(perDeviceBytes)} GiB per device even spread over all ` +
    `${devices} GPUs, ${gib(perDeviceBytes - limitBytes)} GiB over the ${gib(limitBytes)} GiB limit)`;
}
