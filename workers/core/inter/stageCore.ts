/**
 * What a stage costs on one mesh, independent of its position in the pipeline: the type the stage DP's option builder
 * (stageOptions.ts) and its running sums (stageSums.ts) share.
 */
import type { ZeroLevel } from './zeroSums.ts';

/** What a stage recomputes in its backward: nothing, the attention cores only (selective: Korthikanti et al. 2022,
 * ir/attention.ts), or every layer from its input (full; the runtime decides which layers: inter/runtime.ts). */
export const RECOMPUTES = ['none', 'selective', 'full'] as const;
export type Recompute = (typeof RECOMPUTES)[number];

/** A stage's costs on one mesh, independent of its position. */
export interface StageCore {
  readonly meshId: number;
  readonly start: number;
  readonly end: number;
  /** Full recomputation (recompute === 'full'). */
  readonly remat: boolean;
  readonly recompute: Recompute;
  readonly forwardSeconds: number;
  /** Including the recomputation when remat. */
  readonly backwardSeconds: number;
  /** The parameter-gradient part of backwardSeconds (zero-bubble W; recomputation and communication are input
   * gradient, B); NaN where the profile does not say (schedules then split the backward in halves). */
  readonly weightGradientSeconds: number;
  readonly recomputeSeconds: number;
  readonly gradientSyncSeconds: number;
  readonly computeSeconds: number;
  readonly communicationSeconds: number;
  readonly paramBytes: number;
  readonly gradBytes: number;
  readonly optimizerBytes: number;
  /** Activation bytes held per in-flight micro-batch. */
  readonly perMicrobatchBytes: number;
  /** Live only while one layer is recomputed (remat), plus collective receive buffers, bytes. */
  readonly transientBytes: number;
  /** Steps whose temporaries the runtime holds at once (inter/runtime.ts). */
  readonly stepsInFlight: number;
  /** ZeRO stage over the data-parallel axis, or an ILP stage's replicas (inter/zeroStages.ts); absent where not priced. */
  readonly zero?: ZeroLevel;
  /** Expert-parallel degree of the stage's MoE experts (1: replicated or tensor-parallel); absent: no experts. */
  readonly expertParallel?: number;
  /** Under a runtime that overlaps the gradient reduction with the last backward (LayerCosts.overlapGradientReduce):
   * the seconds of it hidden there, already taken out of gradientSyncSeconds (zeroStages.ts re-prices them). */
  readonly hiddenReduceSeconds?: number;
}
