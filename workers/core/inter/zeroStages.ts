/**
 * ZeRO stages as a per-stage choice of the stage DP (issue 14), priced from the stage's own costs (no new profile or
 * ILP solve): the parameters a template profile keeps replicated over the data-parallel axis 0 (d devices) are
 * sharded d ways, ZeRO-1 their optimizer state (fp32 master + Adam moments), ZeRO-2 also their gradients, ZeRO-3 also
 * the parameters themselves (Rajbhandari et al., SC'20, §5; PyTorch FSDP, Zhao et al., VLDB'23, §3).
 *
 * Communication, ring bytes over axis 0 (cost/collectives.ts). Every level reduces the last micro-batch's gradients
 * after its backward, exposed, as the profiles price the all-reduce (ZeRO-1: reduce-scatter + all-gather of the
 * updated parameters, the same ring bytes); the levels differ in what they add:
 * - ZeRO-2: gradients are sharded, so under gradient accumulation over B micro-batches each earlier micro-batch's
 *   backward also reduce-scatters its gradients (DeepSpeed stage 2): (B - 1) reduce-scatters per step, overlapped
 *   with backward compute. For B = 1 exactly ZeRO-1's cost.
 * - ZeRO-3: parameters are all-gathered before each micro-batch's forward and again before its backward (that gather
 *   also serves the recomputation under remat), overlapped with compute; the (B - 1) reduce-scatters as ZeRO-2; the
 *   step ends with the last reduce-scatter alone (parameters stay sharded: no all-gather). For B = 1: two gathers and
 *   one reduce-scatter, 1.5x the all-reduce's ring bytes when parameters and reduced gradients have equal width.
 * Overlap (exposedSeconds): with prefetch of the next unit (FSDP's backward/forward prefetch, one unit ahead), unit
 * k's collective runs while unit k-1 computes; the first unit's collective of each pass is exposed, and each later
 * one by what it exceeds its unit's compute. Units stand for a stage's blocks with its compute spread evenly.
 * Memory: ZeRO-2 holds one unit's unsharded gradient (the bucket being reduced), ZeRO-3 two units' gathered
 * parameters (the one computing and the one prefetched), as transients.
 * Experts split ep ways over axis 0 (expert parallelism) are replicated over only r = d / ep devices: their state is
 * sharded r ways and their collectives run over those r replicas (none when ep = d).
 */
import { collectiveSeconds } from '../cost/collectives.ts';
import { commSeconds } from '../intra/resharding.ts';
import type { PrecisionBytes } from '../cost/memory.ts';
import { GRADIENT_REDUCTION_BYTES_PER_ELEMENT } from '../cost/runtimeTerms.ts';
import type { GpuSpec, Link } from '../cluster/types.ts';
import type { UnitProfile, ZeroGroup } from './unitProfile.ts';
import { zeroSums, type ZeroCosts, type ZeroLevel, type ZeroSums } from './zeroSums.ts';

export { ZERO_LEVELS, ZeroSums, zeroSums, type ZeroCosts, type ZeroLevel } from './zeroSums.ts';


export function emptyZeroCosts(level: ZeroLevel, mesh: readonly [number, number], layers: number): ZeroCosts {
  const a = () => new Float64Array(layers);
  return {
    level, mesh, elems: a(), shardedElems: a(), paramBytes: a(), gradBytes: a(), optimizerBytes: a(), gatherSeconds: a(), reduceScatterSeconds: a(),
    allReduceSeconds: a(), updateSeconds: a(), units: a(), peakUnitParamBytes: a(), peakUnitGradBytes: a(),
    expertElems: a(), expertParamBytes: a(), expertGradBytes: a(), expertOptimizerBytes: a(), expertUpdateSeconds: a(), expertReplicas: a(),
    expertGatherSeconds: a(), expertReduceScatterSeconds: a(),
  };
}

/** A template profile's shardable parameters: replicated over axis 0 (data parallel). */
function groupsOf(profile: UnitProfile): readonly ZeroGroup[] {
  const z = profile.zero;
  return z?.groups ?? (z ? [{ elems: z.elems, axes: [0] }] : []);
}

/** Adds `fraction` of one unit's shardable state and collectives to layer k (a negative fraction takes back a
 * parameter the layer already counted: read twice inside it). Each group's collectives run over the mesh axes it is
 * replicated over, priced as the intra-op pass prices them (intra/resharding.ts commSeconds: one axis on its link,
 * both axes hierarchically). */
export function addUnitZero(z: ZeroCosts, k: number, profile: UnitProfile, links: readonly [Link, Link], pb: PrecisionBytes, gpu: GpuSpec, fraction = 1): void {
  const mesh = { shape: z.mesh, axisLinks: links };
  const traffic = (n: number): number => n * (2 * pb.paramBytes + pb.gradBytes + 2 * (pb.optimizerBytes + pb.masterBytes))
    / (gpu.hbmBandwidthBytesPerSecond * gpu.memoryEfficiency);
  let elems = 0;
  for (const g of groupsOf(profile)) {
    const d = g.axes.reduce((p: number, a) => p * z.mesh[a], 1);
    elems += g.elems;
    z.shardedElems[k] += fraction * g.elems / d;
    z.gatherSeconds[k] += fraction * commSeconds({ kind: 'all-gather', axes: g.axes, bytes: g.elems * pb.paramBytes }, mesh);
    z.reduceScatterSeconds[k] += fraction * commSeconds({ kind: 'reduce-scatter', axes: g.axes, bytes: g.elems * GRADIENT_REDUCTION_BYTES_PER_ELEMENT }, mesh);
  }
  const experts = profile.zero?.expertElems ?? 0;
  const r = profile.zero?.expertReplicas ?? 1;
  const gathered = r > 1 ? experts : 0;
  if (gathered > 0) {
    z.expertElems[k] += fraction * experts;
    z.expertParamBytes[k] += fraction * experts * pb.paramBytes;
    z.expertGradBytes[k] += fraction * experts * pb.gradBytes;
    z.expertOptimizerBytes[k] += fraction * experts * (pb.masterBytes + pb.optimizerBytes);
    z.expertUpdateSeconds[k] += fraction * traffic(experts);
    z.expertReplicas[k] = r;
    z.expertGatherSeconds[k] += fraction * collectiveSeconds('all-gather', experts * pb.paramBytes, r, links[0]);
    z.expertReduceScatterSeconds[k] += fraction * collectiveSeconds('reduce-scatter', experts * GRADIENT_REDUCTION_BYTES_PER_ELEMENT, r, links[0]);
  }
  z.elems[k] += fraction * elems;
  z.paramBytes[k] += fraction * elems * pb.paramBytes;
  z.gradBytes[k] += fraction * elems * pb.gradBytes;
  z.optimizerBytes[k] += fraction * elems * (pb.masterBytes + pb.optimizerBytes);
  z.allReduceSeconds[k] += fraction * profile.gradientSyncSeconds;
  // cost/optimizer.ts optimizerSeconds' traffic term.
  z.updateSeconds[k] += fraction * traffic(elems);
  if (fraction <= 0) return;
  z.units[k] += 1;
  z.peakUnitParamBytes[k] = Math.max(z.peakUnitParamBytes[k], (elems + gathered) * pb.paramBytes);
  z.peakUnitGradBytes[k] = Math.max(z.peakUnitGradBytes[k], (elems + gathered) * pb.gradBytes);
}

/**
 * Seconds of `commSeconds` (split evenly over `units` collectives) not hidden behind `computeSeconds` (split evenly
 * over the same units) with one unit of prefetch: g + (n - 1) max(0, g - c), g = comm / n, c = compute / n.
 */
export function exposedSeconds(commSeconds: number, computeSeconds: number, units: number): number {
  if (commSeconds <= 0) return 0;
  const n = Math.max(1, units);
  const g = commSeconds / n;
  const c = computeSeconds / n;
  return g + (n - 1) * Math.max(0, g - c);
}

/**
 * Seconds of a gradient reduction (`reduceSeconds`, bucketed over `buckets` units) hidden behind the backward it
 * runs beside (`backwardSeconds`), with `busySeconds` of other collectives already on the same link in that
 * backward (ZeRO-3's gathers, ZeRO-2's reduce-scatters): the units' traffic shares one link, so the reduction hides
 * only in what the backward leaves free; the last bucket (the first layer's) is always exposed.
 */
export function hiddenSeconds(reduceSeconds: number, backwardSeconds: number, buckets: number, busySeconds = 0): number {
  if (reduceSeconds <= 0) return 0;
  const exposed = exposedSeconds(busySeconds + reduceSeconds, backwardSeconds, buckets) - exposedSeconds(busySeconds, backwardSeconds, buckets);
  return Math.max(0, reduceSeconds - exposed);
}

/** The level from which ZeRO shards each piece of state. */
const OPTIMIZER = 1;
const GRAD = 2;
const PARAM = 3;

/** The share of a piece of state a device holds at a level: `held` (sharded over unsharded) from level `first` on. */
function shareAt(level: ZeroLevel, first: number, held: number): number {
  return level >= first ? held : 1;
}

/** How the expert state's sum ([as is, sharded over its replicas]: ZeroSums) changes from level `from` to `level`. */
function expertDelta(sum: readonly number[], from: ZeroLevel, level: ZeroLevel, first: number): number {
  return sum[level >= first ? 1 : 0] - sum[from >= first ? 1 : 0];
}

/** What a stage's costs need for the ZeRO re-pricing (a subset of StageCore). */
export interface ZeroPriced {
  readonly start: number;
  readonly end: number;
  readonly forwardSeconds: number;
  readonly backwardSeconds: number;
  readonly gradientSyncSeconds: number;
  readonly communicationSeconds: number;
  readonly paramBytes: number;
  readonly gradBytes: number;
  readonly optimizerBytes: number;
  readonly transientBytes: number;
  readonly zero?: ZeroLevel;
  /** Gradient reduction hidden behind the last backward (overlapping runtimes; StageCore.hiddenReduceSeconds). */
  readonly hiddenReduceSeconds?: number;
}

/**
 * The stage re-priced at ZeRO `level` from the profiles' own level, for `microbatches` per step (`tiedElems`: shardable
 * elements the stage's layers count more than once, a tied embedding held once): state moved between
 * sharded and replicated, the collectives the module comment lists (exposed parts added to forward / backward per
 * micro-batch, the (B - 1) extra reduce-scatters spread over the B backwards, the per-step ones to the gradient
 * synchronisation), the optimizer update on the shard. Null when the profiles are already past ZeRO-1 (their
 * per-micro-batch collectives are their own) and a different level is asked.
 */
export function atZeroLevel<T extends ZeroPriced>(z: ZeroCosts, core: T, level: ZeroLevel, microbatches: number, tiedElems = 0): T | null {
  const out = { ...core };
  return zeroLevelInto(out, z, core, level, microbatches, tiedElems) ? out : null;
}

/**
 * atZeroLevel written into `out` (every ZeroPriced cost field; the rest of `out` is left as it is) instead of a new
 * object, from the stage's ZeRO sums when the caller keeps them (`sums`, over core's layers); false where atZeroLevel
 * gives null.
 */
export function zeroLevelInto(out: { -readonly [K in keyof ZeroPriced]: ZeroPriced[K] }, z: ZeroCosts, core: ZeroPriced, level: ZeroLevel,
  microbatches: number, tiedElems = 0, sums?: ZeroSums): boolean {
  const from = z.level;
  if (level !== from && from >= 2) return false;
  if (level === from) {
    out.zero = level;
    out.forwardSeconds = core.forwardSeconds;
    out.backwardSeconds = core.backwardSeconds;
    out.communicationSeconds = core.communicationSeconds;
    out.gradientSyncSeconds = core.gradientSyncSeconds;
    if (core.hiddenReduceSeconds !== undefined) out.hiddenReduceSeconds = core.hiddenReduceSeconds;
    out.paramBytes = core.paramBytes;
    out.gradBytes = core.gradBytes;
    out.optimizerBytes = core.optimizerBytes;
    out.transientBytes = core.transientBytes;
    return true;
  }
  const s = sums ?? zeroSums(z, core.start, core.end);
  const elems = s.elems;
  // Every piece of state and the update are proportional to the elements, so the share of them a device holds
  // sharded (each group's elements over its replicas) serves them all.
  const held = elems > 0 ? s.shardedElems / elems : 1;
  // Shardable state and its collectives are proportional to the elements: tied ones count once.
  const once = elems > 0 ? Math.max(0, 1 - tiedElems / elems) : 1;
  const param = once * s.paramBytes;
  const grad = once * s.gradBytes;
  const optimizer = once * s.optimizerBytes;
  const gather = once * s.gatherSeconds + s.expertGatherSeconds;
  const reduceScatter = once * s.reduceScatterSeconds + s.expertReduceScatterSeconds;
  const units = s.units;
  const update = once * s.updateSeconds;
  const accumulated = level >= 2 ? (reduceScatter * (microbatches - 1)) / microbatches : 0;
  const forwardGather = level === 3 ? exposedSeconds(gather, core.forwardSeconds, units) : 0;
  const backwardComm = level >= 2 ? exposedSeconds((level === 3 ? gather : 0) + accumulated, core.backwardSeconds, units) : 0;
  // Per step ZeRO-3 reduce-scatters the last micro-batch's gradients in place of the all-reduce.
  const allReduce = once * s.allReduceSeconds;
  const stepComm = level === 3 ? reduceScatter - allReduce : 0;
  // Overlapping runtimes: the step's last reduction (ZeRO-3's reduce-scatter, else the all-reduce) hides behind the
  // last backward beside that backward's own gathers and reduce-scatters, in place of what the profiled level hid.
  const hiddenBefore = core.hiddenReduceSeconds ?? 0;
  const hiddenAfter = core.hiddenReduceSeconds === undefined ? 0
    : hiddenSeconds(level === 3 ? reduceScatter : allReduce, core.backwardSeconds, units, (level === 3 ? gather : 0) + accumulated);
  // Expert state moves between sharded over its replicas and not, as the other state over its replicas.
  const updateDelta = update * (shareAt(level, OPTIMIZER, held) - shareAt(from, OPTIMIZER, held)) + expertDelta(s.expertUpdateSeconds, from, level, OPTIMIZER);
  const transient = (level >= 2 ? s.peakUnitGradBytes : 0) + (level === 3 ? 2 * s.peakUnitParamBytes : 0);
  const forwardSeconds = core.forwardSeconds + forwardGather;
  const backwardSeconds = core.backwardSeconds + backwardComm;
  const communicationSeconds = core.communicationSeconds + forwardGather + backwardComm;
  const gradientSyncSeconds = Math.max(0, core.gradientSyncSeconds + hiddenBefore + stepComm + updateDelta - hiddenAfter);
  const paramBytes = core.paramBytes + param * (shareAt(level, PARAM, held) - shareAt(from, PARAM, held)) + expertDelta(s.expertParamBytes, from, level, PARAM);
  const gradBytes = core.gradBytes + grad * (shareAt(level, GRAD, held) - shareAt(from, GRAD, held)) + expertDelta(s.expertGradBytes, from, level, GRAD);
  const optimizerBytes = core.optimizerBytes + optimizer * (shareAt(level, OPTIMIZER, held) - shareAt(from, OPTIMIZER, held))
    + expertDelta(s.expertOptimizerBytes, from, level, OPTIMIZER);
  const transientBytes = core.transientBytes + transient;
  // Written last: `out` may be `core` itself.
  out.zero = level;
  out.forwardSeconds = forwardSeconds;
  out.backwardSeconds = backwardSeconds;
  out.communicationSeconds = communicationSeconds;
  out.gradientSyncSeconds = gradientSyncSeconds;
  if (core.hiddenReduceSeconds !== undefined) out.hiddenReduceSeconds = hiddenAfter;
  out.paramBytes = paramBytes;
  out.gradBytes = gradBytes;
  out.optimizerBytes = optimizerBytes;
  out.transientBytes = transientBytes;
  return true;
}
