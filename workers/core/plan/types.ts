/**
 * Options of `plan()`, and the planner's vocabulary re-exported from the passes that define it (plan/, app/ and cli/
 * may import it from here; lower passes import from the defining pass: structure.test.ts checks).
 */
import type { BaselineKind } from '../inter/plan.ts';
import type { Precision } from '../cost/precision.ts';
import type { Runtime } from '../inter/runtime.ts';
import type { ScheduleKind } from '../schedule/types.ts';

export type { Collective, CollectiveKind } from '../cost/collectives.ts';
export type { MemoryBreakdown } from '../cost/memory.ts';
export { PRECISIONS, type Precision } from '../cost/precision.ts';
export type { CostBreakdown, DimSharding, OpSharding, ShardingPlan, SolveStatus, TensorSharding } from '../intra/types.ts';
export type { BaselineKind, Explanation, Plan, PlanBreakdown, PlanKind, SearchTraceEntry, Stage } from '../inter/plan.ts';
export { RUNTIMES, type Runtime } from '../inter/runtime.ts';
export type { Progress, ProgressCallback } from '../progress.ts';
export type { ScheduleKind, TimelineEvent, TimelineEventKind } from '../schedule/types.ts';

/** Options of `plan()`; the CLI flags and the UI's training options map onto these one to one. */
export interface PlanOptions {
  readonly mode: 'train' | 'infer';
  /** Global batch (samples per step). */
  readonly globalBatch: number;
  readonly seq?: number;
  readonly microbatches: number | 'auto';
  readonly schedule: ScheduleKind;
  readonly remat: 'auto' | 'on' | 'off';
  readonly precision: Precision;
  /** Number of layers of the clustering, or 'auto'. */
  readonly layers: number | 'auto';
  /** Plan a baseline instead of searching. With megatron, dp/tp/pp may fix the grid point. */
  readonly baseline?: BaselineKind;
  readonly dp?: number;
  readonly tp?: number;
  readonly pp?: number;
  /** Per-device memory limit override; default each GPU's HBM. */
  readonly memoryLimitBytes?: number;
  /** Inference objective. */
  readonly inferObjective?: 'latency' | 'throughput';
  /**
   * The runtime / compiler the plan will run under (default 'megatron'), for effects that belong to it rather than
   * to the model or the GPU (inter/runtime.ts): 'megatron' (eager kernels, the paper's V100 runs): every layer of
   * the clustering recomputed under remat, one step's memory. 'xla' (JAX/XLA, the H100 calibration rows): remat
   * checkpoints the repeated blocks only, layers run as one scan loop (residual copies without remat), layer norm
   * and softmax residuals kept in fp32, and asynchronous dispatch holding two steps' temporaries.
   */
  readonly runtime?: Runtime;
}
