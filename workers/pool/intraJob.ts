/**
 * The intra-op pass as a pool job. A model graph takes 10-35 ms to structured-clone (GPT-39B: 1,111 ops), and the
 * inter-op pass asks for ~100 solves of one graph, so each worker keeps the last graph it was sent: a job names
 * its graph by key and carries the graph only when that worker answers that it does not hold it.
 */
import type { ModelGraph } from '../core/ir/types.ts';
import type { IntraInput } from '../core/intra/types.ts';
import type { ShardingPlan } from '../core/plan/types.ts';
import type { MilpSolver } from '../core/solver/types.ts';
import type { JobPool } from './types.ts';

export const INTRA_JOB = 'intra';
/** Loads a worker's solver ahead of its first intra job (registry.ts). */
export const PRELOAD_JOB = 'preloadSolver';

export interface IntraJobInput {
  readonly graphKey: string;
  /** Present on the retry after 'need-graph'. */
  readonly graph?: ModelGraph;
  readonly input: Omit<IntraInput, 'graph'>;
}

export type IntraJobOutput = { readonly kind: 'plan'; readonly plan: ShardingPlan } | { readonly kind: 'need-graph' };

/** The worker side: runIntra on the worker's solver, with a one-graph cache (per worker, per registry). */
export function createIntraJob(getSolver: () => Promise<MilpSolver>): (input: IntraJobInput) => Promise<IntraJobOutput> {
  let held: { key: string; graph: ModelGraph } | undefined;
  return async ({ graphKey, graph, input }) => {
    if (graph) held = { key: graphKey, graph };
    if (!held || held.key !== graphKey) return { kind: 'need-graph' };
    const [{ runIntra }, solver] = await Promise.all([import('../core/intra/index.ts'), getSolver()]);
    return { kind: 'plan', plan: await runIntra({ ...input, graph: held.graph }, solver) };
  };
}

/**
 * The planner side: an intra-op pass (plan()'s `deps.intra`) that runs each solve on `pool`. Keys graphs by
 * identity, so one planner call's solves share a key; the first job of a key carries the graph (on a pool of one
 * worker the only copy sent: several jobs issued at once would otherwise each be answered 'need-graph' and resent
 * with it). Solves run in parallel only as far as the caller issues them concurrently.
 */
export function poolIntraFn(pool: JobPool, signal?: AbortSignal): (input: IntraInput) => Promise<ShardingPlan> {
  const keys = new WeakMap<ModelGraph, string>();
  // Names this function's cache entries apart from other planner calls on the same pool; never affects a result.
  const nonce = Math.random().toString(36).slice(2);
  let next = 0;
  return async ({ graph, ...input }) => {
    let graphKey = keys.get(graph);
    const firstOfKey = !graphKey;
    if (!graphKey) keys.set(graph, (graphKey = `${nonce}-${next++}-${graph.name}`));
    const first = await pool.run<IntraJobOutput>({ name: INTRA_JOB, input: { graphKey, input, ...(firstOfKey ? { graph } : {}) } satisfies IntraJobInput }, undefined, signal);
    if (first.kind === 'plan') return first.plan;
    const second = await pool.run<IntraJobOutput>({ name: INTRA_JOB, input: { graphKey, graph, input } satisfies IntraJobInput }, undefined, signal);
    if (second.kind !== 'plan') throw new Error(`intra job: worker asked for graph ${graphKey} after receiving it`);
    return second.plan;
  };
}
