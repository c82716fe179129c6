/**
 * The CLI's ILP thread: bin/meshplan.mjs starts it before it loads the CLI, from a bundle of this file alone (the pool's
 * serve loop, the intra-op pass and HiGHS: a fraction of the CLI's bundle to load), and cli/plan.ts takes it into the
 * pool its search's solves run on. HiGHS starts to compile as soon as the thread runs, so that it is ready by the
 * time the first solve is asked.
 */
import { createHighsSolver } from '../core/solver/highs.ts';
import { createIntraJob, INTRA_JOB, PRELOAD_JOB } from './intraJob.ts';
import type { JobFunction } from './jobRunner.ts';
import { serveRegistry } from './serve.ts';

/** Serves the intra-op jobs (registry.ts' INTRA_JOB and PRELOAD_JOB) on this thread's HiGHS. */
export function servePoolWorker(): void {
  const solver = createHighsSolver();
  solver.preload?.();
  const intra = createIntraJob(async () => solver);
  const ready: JobFunction = () => null;
  serveRegistry({ [PRELOAD_JOB]: async () => ready, [INTRA_JOB]: async () => intra });
}
