/**
 * The planner's vocabulary, re-exported from the passes that define it: plan/, app/ and cli/ may import it from here;
 * lower passes import from the defining pass (structure.test.ts checks).
 */
export type { Collective, CollectiveKind } from '../cost/collectives.ts';
export type { MemoryBreakdown } from '../cost/memory.ts';
export { PRECISIONS, type Precision } from '../cost/precision.ts';
export type { CostBreakdown, DimSharding, OpSharding, ShardingPlan, SolveStatus, TensorSharding } from '../intra/types.ts';
export type { BaselineKind, Explanation, Plan, PlanBreakdown, PlanKind, PlanOptions, SearchTraceEntry, Stage } from '../inter/plan.ts';
export { RUNTIMES, type Runtime } from '../inter/runtime.ts';
export type { Progress, ProgressCallback } from '../progress.ts';
export type { ScheduleKind, TimelineEvent, TimelineEventKind } from '../schedule/types.ts';
export { CP_KINDS, CP_SPLITS, type CpKind, type CpSplit } from '../inter/seqParallel.ts';
export { ATTENTION_CHOICES, type AttentionChoice } from '../inter/runtime.ts';
export type { ScheduleChoice } from '../inter/schedulePricing.ts';
