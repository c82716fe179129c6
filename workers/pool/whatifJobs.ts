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
import type { ColumnResult, ModelRef, PlannerApi, SweepCheck, SweepPointResult } from '../planner-api.ts';
import type { JobFunction } from './jobRunner.ts';

export const WHATIF_JOBS = { column: 'compareColumn', point: 'sweepPoint', diff: 'diffScenarios', check: 'checkSweep' } as const;

export interface ColumnJobInput {
  readonly model: ModelRef;
  readonly cluster: Cluster;
  readonly options: PlanOptions;
  readonly pricePerGpuHour?: number;
}

export interface PointJobInput {
  readonly model: ModelRef;
  readonly cluster: Cluster;
  readonly options: PlanOptions;
  readonly variable: SweepVariable;
  readonly value: SweepValue;
  readonly series?: readonly SeriesKind[];
}

/** A point as the page keeps it: the API's answer and the scenario it was planned for (to open it in the plan views). */
export type PointJobOutput = SweepPointResult & { readonly scenario?: { readonly cluster: Cluster; readonly options: PlanOptions } };

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
        let graph;
        if (input.model.kind === 'graph') graph = input.model.graph;
        else {
          const built = await a.inspect(input.model);
          if (!built.ok) return built;
          graph = built.graph;
        }
        return a.compareColumn(graph, input.cluster, input.options, input.pricePerGpuHour, progress, { packTimeline: true });
      };
    },
    [WHATIF_JOBS.point]: async () => {
      const [a, sweep] = await Promise.all([api(), import('../core/whatif/sweep.ts')]);
      return async (input: PointJobInput, progress): Promise<PointJobOutput> => {
        const r = await a.sweepPoint(input.model, input.cluster, input.options, input.variable, input.value, input.series, progress, { packTimeline: true });
        const at = sweep.applySweepValue({ model: input.model, cluster: input.cluster, options: input.options }, input.variable, input.value);
        if (!at.ok) return r;
        const out: PointJobOutput = { ...r, scenario: { cluster: at.value.cluster, options: at.value.options } };
        // A new object: mark the packed timeline's buffers for transfer again (comlink keys transfers by object).
        return r.ok && r.packedTimeline ? transfer(out, timelineBuffers(r.packedTimeline)) : out;
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
