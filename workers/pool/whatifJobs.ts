/**
 * The what-if jobs (Compare columns, sweep points, scenario diffs) as pool jobs, so the page runs each column and
 * each point on its own pooled worker and cancels one by terminating its worker. Each job calls the planner API
 * (planner-api.ts) on the worker's solver; nothing here computes a number.
 */
import { transfer } from 'comlink';
import type { Cluster } from '../core/cluster/types.ts';
import { timelineBuffers } from '../core/schedule/packedTimeline.ts';
import type { PlanOptions } from '../core/plan/types.ts';
import type { ScenarioDiff, ScenarioWithPlan } from '../core/whatif/diff.ts';
import type { SeriesKind } from '../core/whatif/point.ts';
import type { SweepSpec, SweepValue, SweepVariable } from '../core/whatif/sweep.ts';
import type { MilpSolver } from '../core/solver/types.ts';
import type { ModelGraph } from '../core/ir/types.ts';
import type { Plan } from '../core/plan/types.ts';
import type { ColumnResult, EncodedGraph, ModelRef, PlannerApi, SweepCheck, SweepPointResult } from '../planner-api.ts';
import type { JobFunction } from './jobRunner.ts';

export const WHATIF_JOBS = { column: 'compareColumn', point: 'sweepPoint', diff: 'diffScenarios', check: 'checkSweep' } as const;

/**
 * A job's model: a zoo name (built in the worker), a graph, or a graph as JSON bytes. The page sends a loaded graph
 * as bytes encoded once per model: a graph object is structured-cloned on the page's main thread at every post
 * (GPT-39B: 0.5 MB, 100+ ms), the bytes only copied.
 */
export type JobModel = ModelRef | EncodedGraph;

const decoded = (m: JobModel): ModelRef =>
  (m.kind === 'json' ? { kind: 'graph', graph: JSON.parse(new TextDecoder().decode(m.bytes)) as ModelGraph } : m);

export interface ColumnJobInput {
  readonly model: JobModel;
  readonly cluster: Cluster;
  readonly options: PlanOptions;
  readonly pricePerGpuHour?: number;
}

export interface PointJobInput {
  readonly model: JobModel;
  readonly cluster: Cluster;
  readonly options: PlanOptions;
  readonly variable: SweepVariable;
  readonly value: SweepValue;
  readonly series?: readonly SeriesKind[];
}

/**
 * A point as the page keeps it: the API's answer and the scenario it was planned for (to open it in the plan views).
 * The searched plan (per-operator sharding, search trace: GPT-6.7B ~0.5 MB) comes as JSON bytes in `planJson`, not
 * in `point.plan`: transferred, it costs the page's main thread nothing when the point lands, and is parsed only
 * when the user opens the point (pointPlan).
 */
export type PointJobOutput = SweepPointResult & {
  readonly scenario?: { readonly cluster: Cluster; readonly options: PlanOptions };
  readonly planJson?: Uint8Array;
};

/** The searched plan of a point (parsed from its bytes), if it was planned. */
export function pointPlan(o: PointJobOutput): Plan | undefined {
  if (!o.ok) return undefined;
  return o.planJson ? JSON.parse(new TextDecoder().decode(o.planJson)) as Plan : o.point.plan;
}

export interface CheckJobInput {
  readonly model: ModelRef;
  readonly cluster: Cluster;
  readonly options: PlanOptions;
  readonly spec: SweepSpec;
}

export type { ColumnResult, ScenarioDiff, SweepCheck };

/** Registry entries for the what-if jobs, over one planner API per worker (sharing the worker's solver). */
export function whatifJobs(getSolver: () => Promise<MilpSolver>): Record<string, () => Promise<JobFunction>> {
  let planner: Promise<PlannerApi> | undefined;
  const api = (): Promise<PlannerApi> =>
    (planner ??= Promise.all([import('../planner-api.ts'), getSolver()]).then(([m, solver]) => m.createPlannerApi({ solver })));
  return {
    [WHATIF_JOBS.column]: async () => {
      const a = await api();
      return async (input: ColumnJobInput, progress): Promise<ColumnResult> => {
        const model = decoded(input.model);
        let graph;
        if (model.kind === 'graph') graph = model.graph;
        else {
          const built = await a.inspect(model);
          if (!built.ok) return built;
          graph = built.graph;
        }
        return a.compareColumn(graph, input.cluster, input.options, input.pricePerGpuHour, progress, { packTimeline: true });
      };
    },
    [WHATIF_JOBS.point]: async () => {
      const [a, sweep] = await Promise.all([api(), import('../core/whatif/sweep.ts')]);
      return async (input: PointJobInput, progress): Promise<PointJobOutput> => {
        const model = decoded(input.model);
        const r = await a.sweepPoint(model, input.cluster, input.options, input.variable, input.value, input.series, progress, { packTimeline: true });
        const at = sweep.applySweepValue({ model, cluster: input.cluster, options: input.options }, input.variable, input.value);
        if (!at.ok || !r.ok) return r;
        const { plan, ...point } = r.point;
        const planJson = plan ? new TextEncoder().encode(JSON.stringify(plan)) : undefined;
        const out: PointJobOutput = { ...r, point, scenario: { cluster: at.value.cluster, options: at.value.options }, ...(planJson ? { planJson } : {}) };
        // A new object: mark the packed timeline's buffers (and the plan's bytes) for transfer again (comlink keys
        // transfers by object).
        const buffers = [...(r.packedTimeline ? timelineBuffers(r.packedTimeline) : []), ...(planJson ? [planJson.buffer as ArrayBuffer] : [])];
        return buffers.length ? transfer(out, buffers) : out;
      };
    },
    [WHATIF_JOBS.diff]: async () => {
      const a = await api();
      return (input: { base: ScenarioWithPlan; other: ScenarioWithPlan }): Promise<ScenarioDiff> => a.diffScenarios(input.base, input.other);
    },
    [WHATIF_JOBS.check]: async () => {
      const a = await api();
      return (input: CheckJobInput): Promise<SweepCheck> => a.checkSweep(input.model, input.cluster, input.options, input.spec);
    },
  };
}
