/**
 * Running sums of a stage's per-layer ZeRO costs (zeroStages.ts ZeroCosts), the ZeRO counterpart of stageSums.ts.
 */
import type { ZeroCosts } from './zeroStages.ts';

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
