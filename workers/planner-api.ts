/**
 * The planner as the page sees it: one object whose methods take plain data (and a progress callback) and return
 * plain data. planner.worker.ts only `expose`s it through comlink; tests call it directly, without a Worker.
 *
 * Cancelling: a plan cannot be interrupted from outside once a WASM solve runs, so the page's client (owned by the
 * UI, app/) cancels by `worker.terminate()` on the planner worker and creating a fresh Worker + `wrap` for the
 * next request. Nothing here needs to survive that: the API keeps no state but its warm HiGHS solver. Progress
 * messages the worker posted just before termination can still arrive (measured in Chromium: up to ~0.15 s later),
 * so the client must drop callbacks of a run it cancelled.
 */
import { transfer } from 'comlink';
import type { ImportClusterResult } from './core/cost/importCluster.ts';
import type { Cluster } from './core/cluster/types.ts';
import type { GraphSummary } from './core/ir/inspect.ts';
import type { ModelGraph } from './core/ir/types.ts';
import type { ImportError } from './core/import/errors.ts';
import type { Plan, PlanOptions, ProgressCallback } from './core/plan/types.ts';
import type { MilpSolver } from './core/solver/types.ts';
import { packTimeline, timelineBuffers, type PackedTimeline } from './core/schedule/packedTimeline.ts';
import { poolIntraFn } from './pool/intraJob.ts';
import { throttleProgress } from './pool/jobRunner.ts';
import type { JobPool } from './pool/types.ts';
import type { PlanDeps } from './core/plan.ts';
import type { ScenarioDiff, ScenarioWithPlan } from './core/whatif/diff.ts';
import type { Crossover, CrossoverPoint, LearnKind, LearnResult } from './core/whatif/learn.ts';
import type { PointResult, SeriesKind } from './core/whatif/point.ts';
import type { SweepSpec, SweepValue, SweepVariable } from './core/whatif/sweep.ts';
import type { PlanSummary } from './core/whatif/types.ts';

/** A model the page refers to: a zoo name (built in the worker) or a graph it already holds. */
export type ModelRef =
  | { readonly kind: 'zoo'; readonly name: string; readonly batch?: number; readonly seq?: number; readonly dims?: Readonly<Record<string, number>> }
  | { readonly kind: 'graph'; readonly graph: ModelGraph };

export type InspectResult =
  | { readonly ok: true; readonly graph: ModelGraph; readonly summary: GraphSummary }
  | { readonly ok: false; readonly reason: string };

export type ImportFileResult =
  | { readonly ok: true; readonly graph: ModelGraph; readonly summary: GraphSummary; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly error: ImportError };

export type PlanApiResult =
  | {
      readonly ok: true;
      /** With `packTimeline`, plan.timeline is empty and the events are in packedTimeline (unpackTimeline). */
      readonly plan: Plan;
      /** Empty with `packTimeline`: the other plans are then in alternativesJson. */
      readonly alternatives: readonly Plan[];
      readonly packedTimeline?: PackedTimeline;
      /** With `packTimeline`: the search's other plans as JSON bytes, transferred, without their timelines (the page
       * draws only the chosen plan's), parsed only when needed (the Megatron export's nearest plan). GPT-39B on 8x8:
       * three plans of ~2.7 MB each as objects, ~500 ms to structure-clone on the main thread here. */
      readonly alternativesJson?: Uint8Array;
      /** With `packTimeline`: each other plan's label and step, in order (what the Explanation lists). */
      readonly alternativeSteps?: readonly { readonly label: string; readonly stepSeconds: number }[];
    }
  | { readonly ok: false; readonly reason: string };

export interface PlanTransport {
  /** Send the timeline as transferred typed arrays (PackedTimeline) instead of structured-cloning every event
   * (GPT-39B: 63k events, ~70 ms to clone as objects). */
  readonly packTimeline?: boolean;
}

/** A Compare column: the plan (as `plan` returns it) and the figures the column shows. */
export type ColumnResult =
  | (Extract<PlanApiResult, { ok: true }> & { readonly summary: PlanSummary })
  | { readonly ok: false; readonly reason: string };

/** One sweep point. `point.plan` is the searched plan (timeline packed as in `plan` when asked). */
export type SweepPointResult =
  | { readonly ok: true; readonly value: SweepValue; readonly point: PointResult; readonly packedTimeline?: PackedTimeline }
  | { readonly ok: false; readonly value: SweepValue; readonly reason: string };

export type SweepCheck = { readonly ok: true; readonly points: number } | { readonly ok: false; readonly reason: string };

/**
 * A graph as UTF-8 JSON bytes. Posting a big graph object costs the sender a structured clone on every call (GPT-39B:
 * 0.5 MB, 100+ ms of the page's main thread); the page encodes it once and each call copies the bytes (< 1 ms).
 */
export interface EncodedGraph {
  readonly kind: 'json';
  readonly bytes: Uint8Array;
}

const decodeGraph = (g: ModelGraph | EncodedGraph): ModelGraph =>
  ('kind' in g && g.kind === 'json' && 'bytes' in g ? JSON.parse(new TextDecoder().decode(g.bytes)) as ModelGraph : g as ModelGraph);

export interface LearnTransport {
  /** Rows' plans without per-operator sharding and search trace (stages keep meshes, memory and times): what the
   * Learn region shows. GPT-39B's three full plans take the page's main thread 100-250 ms to receive. */
  readonly lean?: boolean;
}

export interface ClusterCheck {
  readonly ok: boolean;
  /** One message per problem, naming the node or field. */
  readonly problems: readonly string[];
}

export interface PlannerApi {
  /** Builds (zoo) or checks (graph) a model and summarises it: params, FLOPs per step, layers, op counts. */
  inspect(ref: ModelRef | ModelGraph): Promise<InspectResult>;
  /** Imports a model file (ONNX, StableHLO text, Meshplan JSON, Hugging Face config.json). */
  importFile(name: string, bytes: Uint8Array, opts?: { readonly batch?: number; readonly seq?: number }, onProgress?: ProgressCallback): Promise<ImportFileResult>;
  /** Searches a plan (or a baseline, per options.baseline). Progress at most ~10 times a second. */
  plan(graph: ModelGraph, cluster: Cluster, options: PlanOptions, onProgress?: ProgressCallback, transport?: PlanTransport): Promise<PlanApiResult>;
  validateCluster(cluster: Cluster): Promise<ClusterCheck>;
  /** A cluster file: a measured profile (fitted) or a Cluster JSON (checked); the fit's notes. */
  importCluster(text: string, source: string): Promise<ImportClusterResult>;
  /** Names the zoo offers (for the Model panel's menu). */
  zooNames(): Promise<readonly string[]>;
  /** Compare: plan one column and summarise it (core/whatif/summary.ts); cost figures with a price per GPU-hour. */
  compareColumn(graph: ModelGraph, cluster: Cluster, options: PlanOptions, pricePerGpuHour?: number, onProgress?: ProgressCallback, transport?: PlanTransport): Promise<ColumnResult>;
  /** Compare: what differs between the first column and another (core/whatif/diff.ts). */
  diffScenarios(base: ScenarioWithPlan, other: ScenarioWithPlan): Promise<ScenarioDiff>;
  /** Sweep: every value checked before any is planned; a message names the first bad one. */
  checkSweep(model: ModelRef, cluster: Cluster, options: PlanOptions, spec: SweepSpec): Promise<SweepCheck>;
  /** Sweep: one point (the base scenario with `variable` set to `value`): searched plan + the chart's baselines. */
  sweepPoint(model: ModelRef, cluster: Cluster, options: PlanOptions, variable: SweepVariable, value: SweepValue,
    series?: readonly SeriesKind[], onProgress?: ProgressCallback, transport?: PlanTransport): Promise<SweepPointResult>;
  /** Learn: intra-only, inter-only and combined with traffic, bubbles, memory and the generated sentence. The rows'
   * plans come without timelines (timeline: []). */
  learn(graph: ModelGraph | EncodedGraph, cluster: Cluster, options: PlanOptions, onProgress?: ProgressCallback, transport?: LearnTransport): Promise<{ readonly ok: true; readonly result: LearnResult } | { readonly ok: false; readonly reason: string }>;
  /** Learn: the fastest of the three at each knob value and where it changes (core/whatif/learn.ts crossover). */
  learnCrossover(points: readonly CrossoverPoint[]): Promise<{ readonly best: readonly (LearnKind | null)[]; readonly changes: readonly Crossover[] }>;
}

export interface PlannerApiOptions {
  /** Where the HiGHS wasm is: `() => wasmUrl` with `import wasmUrl from 'highs/runtime?url'` in a Vite worker. */
  readonly highsLocateFile?: (file: string) => string;
  /** A solver to use instead of HiGHS (tests). */
  readonly solver?: MilpSolver;
  /** Run the intra-op solves on this pool (pool/intraJob.ts) instead of this thread. */
  readonly intraPool?: JobPool;
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export function createPlannerApi(options: PlannerApiOptions = {}): PlannerApi {
  // One solver for the API's life: a warm wasm module solves small ILPs ~5x faster than a cold one (tooling.md §1).
  let solver: Promise<MilpSolver> | undefined = options.solver ? Promise.resolve(options.solver) : undefined;
  const getSolver = (): Promise<MilpSolver> =>
    (solver ??= import('./core/solver/highs.ts').then((m) => m.createHighsSolver({ locateFile: options.highsLocateFile })));

  async function summarise(graph: ModelGraph): Promise<InspectResult> {
    const [{ validateGraph }, { inspectGraph }, { graphProblem }, text] = await Promise.all([import('./core/ir/validate.ts'),
      import('./core/ir/inspect.ts'), import('./core/ir/bounds.ts'), import('./core/boundary/text.ts')]);
    const valid = validateGraph(graph);
    if (!valid.ok) return { ok: false, reason: `model ${text.echo(graph.name)} is not a valid graph: ${text.summarise(valid.errors)}` };
    const unplannable = graphProblem(graph);
    if (unplannable) return { ok: false, reason: `model ${text.echo(graph.name)}: ${unplannable}` };
    return { ok: true, graph, summary: inspectGraph(graph) };
  }

  const planDeps = async (): Promise<PlanDeps> => (options.intraPool ? { intra: poolIntraFn(options.intraPool) } : { solver: await getSolver() });
  // Compare, Sweep and Learn plan many scenarios of one model: their intra-op solves are shared for the API's life
  // (core/whatif/cache.ts; a sub-mesh's solve depends on its GPU and links, not on the rest of the cluster).
  let whatifCache: Promise<PlanDeps> | undefined;
  const whatifDeps = (): Promise<PlanDeps> => (whatifCache ??= (async () => {
    const [{ cachingIntra }, { runIntra }] = await Promise.all([import('./core/whatif/cache.ts'), import('./core/intra/index.ts')]);
    const inner = options.intraPool ? poolIntraFn(options.intraPool) : async (input: Parameters<typeof runIntra>[0]) => runIntra(input, await getSolver());
    return { intra: cachingIntra(inner).solve };
  })());
  const checkedCluster = async (cluster: Cluster): Promise<string | undefined> => {
    const [{ validateCluster }, text] = await Promise.all([import('./core/cluster/spec.ts'), import('./core/boundary/text.ts')]);
    const problems = validateCluster(cluster);
    return problems.length ? `cluster: ${text.summarise(problems)}` : undefined;
  };

  async function planWith(deps: PlanDeps, graph: ModelGraph, cluster: Cluster, planOptions: PlanOptions, onProgress?: ProgressCallback,
    transport: PlanTransport = {}): Promise<PlanApiResult> {
    const [{ validateCluster }, core, text] = await Promise.all([import('./core/cluster/spec.ts'), import('./core/plan.ts'), import('./core/boundary/text.ts')]);
    const problems = validateCluster(cluster);
    if (problems.length > 0) return { ok: false, reason: `cluster: ${text.summarise(problems)}` };
    try {
      const r = await core.plan(graph, cluster, planOptions, onProgress ? throttleProgress(onProgress) : undefined, undefined, deps);
      if (!r.ok) return { ok: false, reason: r.reason };
      const alternatives = r.alternatives ?? [];
      if (!transport.packTimeline) return { ok: true, plan: r.plan, alternatives };
      const packedTimeline = packTimeline(r.plan.timeline);
      const alternativesJson = new TextEncoder().encode(JSON.stringify(alternatives.map((a) => ({ ...a, timeline: [] }))));
      const alternativeSteps = alternatives.map((a) => ({ label: a.label, stepSeconds: a.stepSeconds }));
      // Marks the buffers for comlink to transfer (not copy) when this value is returned through the worker.
      return transfer({ ok: true, plan: { ...r.plan, timeline: [] }, alternatives: [], packedTimeline, alternativesJson, alternativeSteps },
        [...timelineBuffers(packedTimeline), alternativesJson.buffer as ArrayBuffer]);
    } catch (err) {
      // A bug in a pass: the page shows it as a failed plan rather than a broken worker.
      return { ok: false, reason: `planning failed: ${message(err)}` };
    }
  }

  const api: PlannerApi = {
    async inspect(ref) {
      const r: ModelRef = 'kind' in ref && (ref.kind === 'zoo' || ref.kind === 'graph') ? ref : { kind: 'graph', graph: ref as ModelGraph };
      if (r.kind === 'graph') return summarise(r.graph);
      const { zooModel, ZooError } = await import('./core/zoo/index.ts');
      try {
        return await summarise(zooModel(r.name, { batch: r.batch, seq: r.seq, dims: r.dims }));
      } catch (err) {
        if (err instanceof ZooError) return { ok: false, reason: err.message };
        throw err;
      }
    },

    async importFile(name, bytes, opts = {}, onProgress) {
      const { importModel } = await import('./core/import/index.ts');
      const r = await importModel(name, bytes, opts, onProgress ? throttleProgress(onProgress) : undefined);
      if (!r.ok) return r;
      const s = await summarise(r.graph);
      if (!s.ok) return { ok: false, error: { message: s.reason, format: r.graph.source.split(':')[0] || 'unknown' } };
      return { ok: true, graph: r.graph, summary: s.summary, warnings: r.warnings };
    },

    async plan(graph, cluster, planOptions, onProgress, transport = {}) {
      return planWith(await planDeps(), graph, cluster, planOptions, onProgress, transport);
    },

    async validateCluster(cluster) {
      const { validateCluster } = await import('./core/cluster/spec.ts');
      const problems = validateCluster(cluster);
      return { ok: problems.length === 0, problems };
    },

    async importCluster(text, source) {
      const { importClusterText } = await import('./core/cost/importCluster.ts');
      return importClusterText(text, source);
    },
    async zooNames() {
      const { ZOO_NAMES } = await import('./core/zoo/index.ts');
      return ZOO_NAMES;
    },

    async compareColumn(graph, cluster, planOptions, pricePerGpuHour, onProgress, transport = {}) {
      const r = await planWith(await whatifDeps(), graph, cluster, planOptions, onProgress, transport);
      if (!r.ok) return r;
      const { summarizePlan } = await import('./core/whatif/summary.ts');
      // Tokens use the sequence length the plan ran at: the options' seq, else the graph's own.
      return { ...r, summary: summarizePlan(r.plan, { seq: planOptions.seq ?? graph.seq }, pricePerGpuHour) };
    },

    async diffScenarios(base, other) {
      const { diffScenarios } = await import('./core/whatif/diff.ts');
      return diffScenarios(base, other);
    },

    async checkSweep(model, cluster, planOptions, spec) {
      const { checkSweep } = await import('./core/whatif/sweep.ts');
      const r = checkSweep({ model, cluster, options: planOptions }, spec);
      return r.ok ? { ok: true, points: r.value.length } : r;
    },

    async sweepPoint(model, cluster, planOptions, variable, value, series, onProgress, transport = {}) {
      const [{ applySweepValue }, { buildModel, planPoint }] = await Promise.all([import('./core/whatif/sweep.ts'), import('./core/whatif/point.ts')]);
      const at = applySweepValue({ model, cluster, options: planOptions }, variable, value);
      if (!at.ok) return { ok: false, value, reason: at.reason };
      try {
        const graph = buildModel(at.value.model);
        const point = await planPoint(graph, at.value.cluster, at.value.options, await whatifDeps(),
          { ...(series ? { series } : {}), ...(onProgress ? { progress: throttleProgress(onProgress) } : {}) });
        if (!transport.packTimeline || !point.plan) return { ok: true, value, point };
        const packedTimeline = packTimeline(point.plan.timeline);
        return transfer({ ok: true, value, point: { ...point, plan: { ...point.plan, timeline: [] } }, packedTimeline }, timelineBuffers(packedTimeline));
      } catch (err) {
        return { ok: false, value, reason: `planning failed: ${message(err)}` };
      }
    },

    async learnCrossover(points) {
      const { crossover } = await import('./core/whatif/learn.ts');
      return crossover(points);
    },

    async learn(encoded, cluster, planOptions, onProgress, transport = {}) {
      const graph = decodeGraph(encoded);
      const bad = await checkedCluster(cluster);
      if (bad) return { ok: false, reason: bad };
      const { runLearn } = await import('./core/whatif/learn.ts');
      try {
        const result = await runLearn(graph, cluster, planOptions, await whatifDeps(), onProgress ? throttleProgress(onProgress) : undefined);
        const slim = (p: Plan): Plan => (transport.lean
          ? { ...p, timeline: [], trace: [], stages: p.stages.map(({ sharding: _s, ...stage }) => stage) }
          : { ...p, timeline: [] });
        return { ok: true, result: { ...result, rows: result.rows.map((r) => (r.ok ? { ...r, plan: slim(r.plan) } : r)) } };
      } catch (err) {
        return { ok: false, reason: `planning failed: ${message(err)}` };
      }
    },
  };
  return api;
}
