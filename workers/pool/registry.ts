/**
 * The planner's jobs by name, as the pool workers run them. Loaders import lazily, so a worker loads (and a bundle
 * splits off) only what its jobs need. Each registry owns one HiGHS solver, created on first use and kept for the
 * worker's life (a warm wasm module solves small ILPs ~5x faster than a cold one, tooling.md §1).
 */
import type { MilpSolver } from '../core/solver/types.ts';
import { createIntraJob, INTRA_JOB, PRELOAD_JOB } from './intraJob.ts';
import type { JobFunction, JobRegistry } from './jobRunner.ts';
import { whatifJobs } from './whatifJobs.ts';

export interface JobRegistryDeps {
  /** Where the HiGHS wasm is (browser workers: `() => wasmUrl` from 'highs/runtime?url'); Node finds it itself. */
  readonly highsLocateFile?: (file: string) => string;
}

export function createJobRegistry(deps: JobRegistryDeps = {}): JobRegistry {
  let solver: Promise<MilpSolver> | undefined;
  const getSolver = (): Promise<MilpSolver> =>
    (solver ??= import('../core/solver/highs.ts').then((m) => m.createHighsSolver({ locateFile: deps.highsLocateFile })));

  // One intra job per registry: it holds the worker's last graph across jobs.
  let intraJob: JobFunction | undefined;
  const jobs: Record<string, () => Promise<JobFunction>> = {
    /** input: ScheduleInput -> ScheduleResult */
    simulateSchedule: async () => {
      const m = await import('../core/schedule/pipelineSchedule.ts');
      return (input) => m.simulateSchedule(input);
    },
    /** No input: loads the worker's HiGHS (its WebAssembly compiles) before the first solve is asked. */
    [PRELOAD_JOB]: async () => {
      await getSolver();
      return () => null;
    },
    /** input: IntraJobInput -> IntraJobOutput: the intra-op pass (runIntra) on the worker's solver. */
    [INTRA_JOB]: async () => (intraJob ??= createIntraJob(getSolver)),
    /** input: MilpModel (+ options) -> MilpResult: one ILP solve on the worker's warm HiGHS. */
    solveMilp: async () => {
      const s = await getSolver();
      return (input: { model: import('../core/solver/types.ts').MilpModel; options?: import('../core/solver/types.ts').MilpOptions }) =>
        s.solve(input.model, input.options);
    },
    /** Compare columns, sweep points, scenario diffs (whatifJobs.ts). */
    ...whatifJobs(getSolver),
  };
  return jobs;
}
