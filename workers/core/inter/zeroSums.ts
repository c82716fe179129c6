/**
 * A stage's per-layer ZeRO costs (ZeroCosts, filled by zeroStages.ts) and their running sums, the ZeRO counterpart of
 * stageSums.ts. The types live here so that zeroStages.ts, which prices them, and the sums import in one direction.
 */
export type ZeroLevel = 0 | 1 | 2 | 3;
export const ZERO_LEVELS: readonly ZeroLevel[] = [0, 1, 2, 3];

/** Per layer of the clustering on one mesh: what ZeRO can shard and what its collectives cost, once per step or
 * micro-batch as named. */
export interface ZeroCosts {
  /** The ZeRO stage the profiles' state already has (the search's template: 1). */
  readonly level: ZeroLevel;
  /** The logical mesh: a group of shardable parameters spans the axes it is replicated over (ZeroGroup). */
  readonly mesh: readonly [number, number];
  /** Shardable parameter elements per device. */
  readonly elems: Float64Array;
  /** The same sharded: each group's elements over its group's devices (elems / d on one data-parallel axis of d). */
  readonly shardedElems: Float64Array;
  /** The shardable state unsharded (ZeRO-0), per device, bytes. */
  readonly paramBytes: Float64Array;
  readonly gradBytes: Float64Array;
  readonly optimizerBytes: Float64Array;
  /** All-gather of the shardable parameters over their groups (one pass), summed over units, seconds. */
  readonly gatherSeconds: Float64Array;
  /** Reduce-scatter of their gradients over their groups, summed over units, seconds. */
  readonly reduceScatterSeconds: Float64Array;
  /** The all-reduce of their gradients the profiles price (ZeRO-0/1), seconds. */
  readonly allReduceSeconds: Float64Array;
  /** Adam's update of the shardable state unsharded (HBM traffic only; launches unchanged), seconds. */
  readonly updateSeconds: Float64Array;
  /** Expert elements per device (split over the expert-parallel group), their unsharded state and Adam update, and
   * the replicas (d / ep) ZeRO shards them over; 0 where a layer has no experts. */
  readonly expertElems: Float64Array;
  readonly expertParamBytes: Float64Array;
  readonly expertGradBytes: Float64Array;
  readonly expertOptimizerBytes: Float64Array;
  readonly expertUpdateSeconds: Float64Array;
  readonly expertReplicas: Float64Array;
  /** Their all-gather and reduce-scatter over the r replicas, seconds. */
  readonly expertGatherSeconds: Float64Array;
  readonly expertReduceScatterSeconds: Float64Array;
  /** Units (prefetch granularity) per layer. */
  readonly units: Float64Array;
  /** The largest unit's unsharded shardable parameters and gradients, bytes. */
  readonly peakUnitParamBytes: Float64Array;
  readonly peakUnitGradBytes: Float64Array;
}

/**
 * A stage's sums over its layers [start, end) of the per-layer ZeRO costs (maxima for the peaks), grown one layer at
 * a time: each is the same sequence of additions as summing the range anew, so prices are bit-identical (the stage
 * DP's option builder extends them layer by layer: stageOptions.ts). Expert state is summed both as is and divided
 * by each layer's replicas (sharded over them), where a layer has any.
 */
export class ZeroSums {
  start = 0;
  end = 0;
  elems = 0;
  shardedElems = 0;
  paramBytes = 0;
  gradBytes = 0;
  optimizerBytes = 0;
  gatherSeconds = 0;
  reduceScatterSeconds = 0;
  allReduceSeconds = 0;
  updateSeconds = 0;
  units = 0;
  expertGatherSeconds = 0;
  expertReduceScatterSeconds = 0;
  peakUnitParamBytes = 0;
  peakUnitGradBytes = 0;
  /** [as is, sharded over the replicas] */
  readonly expertParamBytes = [0, 0];
  readonly expertGradBytes = [0, 0];
  readonly expertOptimizerBytes = [0, 0];
  readonly expertUpdateSeconds = [0, 0];

  constructor(readonly z: ZeroCosts, start = 0) {
    this.reset(start);
  }

  reset(start: number): void {
    this.start = this.end = start;
    this.elems = this.shardedElems = this.paramBytes = this.gradBytes = this.optimizerBytes = this.gatherSeconds = this.reduceScatterSeconds = 0;
    this.allReduceSeconds = this.updateSeconds = this.units = this.expertGatherSeconds = this.expertReduceScatterSeconds = 0;
    this.peakUnitParamBytes = this.peakUnitGradBytes = 0;
    for (const e of [this.expertParamBytes, this.expertGradBytes, this.expertOptimizerBytes, this.expertUpdateSeconds]) e[0] = e[1] = 0;
  }

  /** Adds the next layer (end). */
  extend(): void {
    const z = this.z;
    const k = this.end++;
    this.elems += z.elems[k];
    this.shardedElems += z.shardedElems[k];
    this.paramBytes += z.paramBytes[k];
    this.gradBytes += z.gradBytes[k];
    this.optimizerBytes += z.optimizerBytes[k];
    this.gatherSeconds += z.gatherSeconds[k];
    this.reduceScatterSeconds += z.reduceScatterSeconds[k];
    this.allReduceSeconds += z.allReduceSeconds[k];
    this.updateSeconds += z.updateSeconds[k];
    this.units += z.units[k];
    this.expertGatherSeconds += z.expertGatherSeconds[k];
    this.expertReduceScatterSeconds += z.expertReduceScatterSeconds[k];
    this.peakUnitParamBytes = Math.max(this.peakUnitParamBytes, z.peakUnitParamBytes[k]);
    this.peakUnitGradBytes = Math.max(this.peakUnitGradBytes, z.peakUnitGradBytes[k]);
    addExpert(this.expertParamBytes, z.expertParamBytes[k], z.expertReplicas[k]);
    addExpert(this.expertGradBytes, z.expertGradBytes[k], z.expertReplicas[k]);
    addExpert(this.expertOptimizerBytes, z.expertOptimizerBytes[k], z.expertReplicas[k]);
    addExpert(this.expertUpdateSeconds, z.expertUpdateSeconds[k], z.expertReplicas[k]);
  }
}

function addExpert(sums: number[], value: number, replicas: number): void {
  if (!(value > 0)) return;
  sums[0] += value;
  sums[1] += value / replicas;
}

/** The ZeRO sums of layers [start, end). */
export function zeroSums(z: ZeroCosts, start: number, end: number): ZeroSums {
  const s = new ZeroSums(z, start);
  while (s.end < end) s.extend();
  return s;
}
