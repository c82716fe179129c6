/**
 * From per-layer costs to the stage DP's options: for a layer range on a sub-mesh shape, every logical mesh and
 * rematerialisation choice becomes an option with its fill/drain cost (`sum`), its steady-state period (`max`),
 * and the most stages after it its memory allows under the schedule (alpa.md §3 "Memory (1F1B)", Eq. 5).
 * Cross-stage transfers enter both: the boundary activations (and their gradients) over the link between the two
 * sub-meshes, which the DP does not know before placement, so it prices the expected link (see sendEstimate).
 */
import type { Cluster } from '../cluster/types.ts';
import type { MemoryBreakdown } from '../cost/memory.ts';
import type { ScheduleKind } from '../schedule/types.ts';
import type { LayerCosts } from './stageCosts.ts';
import type { MeshSpace } from './meshSpace.ts';

export { sendEstimate, sendSeconds } from './sends.ts';
import type { ZeroLevel } from './zeroStages.ts';
import { scratchCore, stageSums, writeCore } from './stageSums.ts';

export { eachZeroOption, zeroOptions } from './stageSums.ts';

export { RECOMPUTES, type Recompute, type StageCore } from './stageCore.ts';
import type { Recompute, StageCore } from './stageCore.ts';

export function stageCore(t: LayerCosts, meshId: number, start: number, end: number, mode: Recompute | boolean): StageCore {
  const r = stageSums(t, start, end);
  const c = writeCore(scratchCore(), r, meshId, mode);
  return {
    meshId, start, end, remat: c.remat, recompute: c.recompute,
    forwardSeconds: c.forwardSeconds, backwardSeconds: c.backwardSeconds, weightGradientSeconds: c.weightGradientSeconds,
    recomputeSeconds: c.recomputeSeconds,
    gradientSyncSeconds: c.gradientSyncSeconds, computeSeconds: c.computeSeconds, communicationSeconds: c.communicationSeconds,
    paramBytes: c.paramBytes, gradBytes: c.gradBytes, optimizerBytes: c.optimizerBytes, perMicrobatchBytes: c.perMicrobatchBytes,
    transientBytes: c.transientBytes, stepsInFlight: c.stepsInFlight,
    ...(t.zero ? { zero: t.zero.level } : {}),
    ...(r.expertParallel > 0 ? { expertParallel: r.expertParallel } : {}),
    ...(t.overlapGradientReduce ? { hiddenReduceSeconds: c.hiddenReduceSeconds } : {}),
  };
}

/** Micro-batches whose activations stage (S - stagesFromHere) holds at once under the schedule. */
export function inFlight(schedule: ScheduleKind, stagesFromHere: number, microbatches: number): number {
  switch (schedule) {
    case 'gpipe': return microbatches;
    case '1f1b': return Math.min(stagesFromHere, microbatches);
    // One chunk per device (1F1B); more chunks depend on the stage count too (schedulePricing.ts inFlightOf).
    case 'interleaved': return Math.min(stagesFromHere, microbatches);
    // Zero-bubble stages hold min(S, B) (ZB-H1) or min(S + 1, B) (ZB-V) micro-batches, S the total stage count,
    // which this does not know: B bounds both (schedulePricing.ts inFlightOf is exact).
    case 'zb-h1': case 'zb-v': return microbatches;
    case 'eager-1f1b': return Math.min(microbatches, 2 * stagesFromHere - 1);
    case 'inference': return 1;
  }
}

export function stageMemory(c: StageCore, inflight: number): MemoryBreakdown {
  return {
    paramBytes: c.paramBytes,
    gradBytes: c.gradBytes,
    optimizerBytes: c.optimizerBytes,
    activationBytes: c.perMicrobatchBytes * inflight,
    temporaryBytes: c.transientBytes,
  };
}

export function memoryTotal(m: MemoryBreakdown): number {
  return m.paramBytes + m.gradBytes + m.optimizerBytes + m.activationBytes + m.temporaryBytes;
}

/**
 * Bytes a device must have free for the stage: its memory, plus the temporaries (gradients, activations,
 * transients) of each further step the runtime keeps in flight (inter/runtime.ts).
 */
export function requiredBytes(c: Pick<StageCore, 'stepsInFlight'>, m: MemoryBreakdown): number {
  return requiredOf(c, m.paramBytes, m.gradBytes, m.optimizerBytes, m.activationBytes, m.temporaryBytes);
}

function requiredOf(c: Pick<StageCore, 'stepsInFlight'>, param: number, grad: number, optimizer: number, activation: number, temporary: number): number {
  return param + grad + optimizer + activation + temporary + (c.stepsInFlight - 1) * (grad + activation + temporary);
}

/** requiredBytes(c, stageMemory(c, inflight)) without building the breakdown (the DP prices ~1e5 options). */
function requiredAt(c: StageCore, inflight: number): number {
  return requiredOf(c, c.paramBytes, c.gradBytes, c.optimizerBytes, c.perMicrobatchBytes * inflight, c.transientBytes);
}

/** Most in-flight micro-batches (whole-stage activations) whose memory fits the limit; -1 when not even none. */
export function activationCapacity(c: StageCore, limitBytes: number): number {
  const base = requiredAt(c, 0);
  const per = requiredAt(c, 1) - base;
  if (base > limitBytes) return -1;
  return per > 0 ? (limitBytes - base) / per : Infinity;
}

/** Largest s (stages from this one to the end) whose memory fits; 0 when none. */
export function maxStagesThatFit(c: StageCore, schedule: ScheduleKind, microbatches: number, limitBytes: number, cap: number): number {
  let s = 0;
  while (s < cap && requiredAt(c, inFlight(schedule, s + 1, microbatches)) <= limitBytes) s++;
  return s;
}

export interface OptionMeta {
  readonly core: StageCore;
  readonly sendSeconds: number;
}

export interface StageProblemInput {
  readonly cluster: Cluster;
  readonly space: MeshSpace;
  /** Per mesh id; undefined for a mesh the DP may not use. */
  readonly tables: readonly (LayerCosts | undefined)[];
  readonly layers: number;
  /** boundaryBytes[k]: activation bytes crossing into layers >= k from layers < k, one micro-batch (k = 1..L-1). */
  readonly boundaryBytes: readonly number[];
  readonly microbatch: number;
  readonly microbatches: number;
  readonly schedule: ScheduleKind;
  readonly remat: readonly Recompute[];
  readonly memoryLimitBytes: readonly number[];
  readonly training: boolean;
  readonly objective: 'step' | 'throughput';
  readonly maxStages: number;
  /** ZeRO levels the DP may give a stage with a data-parallel axis (inter/zeroStages.ts); absent: the profiles'. */
  readonly zeroLevels?: readonly ZeroLevel[];
  /** Units (blocks) of each layer; with it, options are kept unless dominated in every part of OptionParts (each
   * schedule prices them differently: schedulePricing.ts), else by 1F1B's prices alone. */
  readonly unitsPerLayer?: readonly number[];
  /** Price every stage's gradient sync in its sum, not the first stage's alone: an upper bound on the sync the step
   * exposes, for a micro-batch count whose later syncs the usual pricing missed (plan/searched.ts). */
  readonly syncEveryStage?: boolean;
}
