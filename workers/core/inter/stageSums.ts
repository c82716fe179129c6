/**
 * A stage's costs from its layers' (stageOptions.ts StageCore): the sums and maxima over the layer range [start, end)
 * of one LayerCosts table, kept as running totals that grow one layer at a time. The stage DP's option builder
 * extends them layer by layer for each first layer, so a range costs one addition per field instead of a pass over
 * its layers, and no object is built for an option before it survives (buildStageProblem). Each running sum is the
 * same sequence of floating-point additions as summing the range anew from 0, so every cost is bit-identical.
 */
import type { LayerCosts } from './stageCosts.ts';
import type { Recompute, StageCore } from './stageCore.ts';
import { ZeroSums, zeroSums } from './zeroSums.ts';
import { hiddenSeconds, zeroLevelInto } from './zeroStages.ts';
import type { ZeroLevel } from './zeroSums.ts';

export class StageSums {
  start = 0;
  end = 0;
  forward = 0;
  backward = 0;
  weightGradient = 0;
  recompute = 0;
  attentionRecompute = 0;
  noRemat = 0;
  gradientSync = 0;
  noRematGradientSync = 0;
  gradientReduce = 0;
  compute = 0;
  communication = 0;
  param = 0;
  grad = 0;
  optimizer = 0;
  activation = 0;
  rematActivation = 0;
  attentionActivation = 0;
  /** Running maxima (from 0) of the recompute peak, the attention activations and the collective buffers. */
  recomputePeak = 0;
  attentionPeak = 0;
  buffer = 0;
  expertParallel = 0;
  /** The same range's ZeRO sums, where the table has ZeRO costs and they were asked for. */
  readonly zero: ZeroSums | undefined;

  /** `withZero`: keep the ZeRO sums too. */
  constructor(readonly table: LayerCosts, start = 0, withZero = false) {
    this.zero = withZero && table.zero ? new ZeroSums(table.zero, start) : undefined;
    this.reset(start);
  }

  /** The empty range starting at layer `start`. */
  reset(start: number): void {
    this.start = this.end = start;
    this.forward = this.backward = this.weightGradient = this.recompute = this.attentionRecompute = this.noRemat = 0;
    this.gradientSync = this.noRematGradientSync = this.gradientReduce = this.compute = this.communication = 0;
    this.param = this.grad = this.optimizer = this.activation = this.rematActivation = this.attentionActivation = 0;
    this.recomputePeak = this.attentionPeak = this.buffer = this.expertParallel = 0;
    this.zero?.reset(start);
  }

  /** Adds the next layer (end) to the range. */
  extend(): void {
    const t = this.table;
    const k = this.end++;
    this.forward += t.forwardSeconds[k];
    this.backward += t.backwardSeconds[k];
    this.weightGradient += t.weightGradientSeconds[k];
    this.recompute += t.recomputeSeconds[k];
    this.attentionRecompute += t.attentionRecomputeSeconds[k];
    this.noRemat += t.noRematSeconds[k];
    this.gradientSync += t.gradientSyncSeconds[k];
    this.noRematGradientSync += t.noRematGradientSyncSeconds[k];
    this.gradientReduce += t.gradientReduceSeconds[k];
    this.compute += t.computeSeconds[k];
    this.communication += t.communicationSeconds[k];
    this.param += t.paramBytes[k];
    this.grad += t.gradBytes[k];
    this.optimizer += t.optimizerBytes[k];
    this.activation += t.activationBytes[k];
    this.rematActivation += t.rematActivationBytes[k];
    this.attentionActivation += t.attentionActivationBytes[k];
    this.recomputePeak = Math.max(this.recomputePeak, t.recomputePeakBytes[k]);
    this.attentionPeak = Math.max(this.attentionPeak, t.attentionActivationBytes[k]);
    this.buffer = Math.max(this.buffer, t.bufferBytes[k]);
    this.expertParallel = Math.max(this.expertParallel, t.expertParallel[k]);
    this.zero?.extend();
  }
}

/** The running sums of [start, end). */
export function stageSums(t: LayerCosts, start: number, end: number): StageSums {
  const r = new StageSums(t, start);
  while (r.end < end) r.extend();
  return r;
}

/** Layers of [start, end) that read a tied parameter (its `layers`). */
function readersIn(layers: readonly number[], start: number, end: number): number {
  let n = 0;
  for (const k of layers) if (k >= start && k < end) n++;
  return n;
}

/** Shardable elements the range's layers count more than once (a tied embedding is held once). */
export function tiedZeroElems(t: LayerCosts, start: number, end: number): number {
  let tied = 0;
  for (const p of t.shared) {
    const n = readersIn(p.layers, start, end);
    if (n > 1) tied += (n - 1) * p.zeroElems;
  }
  return tied;
}

export type MutableCore = { -readonly [K in keyof StageCore]: StageCore[K] };

/** Copies every field writeCore writes from `c` into `out`. */
export function copyCore(out: MutableCore, c: MutableCore): MutableCore {
  out.meshId = c.meshId;
  out.start = c.start;
  out.end = c.end;
  out.remat = c.remat;
  out.recompute = c.recompute;
  out.forwardSeconds = c.forwardSeconds;
  out.backwardSeconds = c.backwardSeconds;
  out.weightGradientSeconds = c.weightGradientSeconds;
  out.recomputeSeconds = c.recomputeSeconds;
  out.gradientSyncSeconds = c.gradientSyncSeconds;
  out.computeSeconds = c.computeSeconds;
  out.communicationSeconds = c.communicationSeconds;
  out.paramBytes = c.paramBytes;
  out.gradBytes = c.gradBytes;
  out.optimizerBytes = c.optimizerBytes;
  out.perMicrobatchBytes = c.perMicrobatchBytes;
  out.transientBytes = c.transientBytes;
  out.stepsInFlight = c.stepsInFlight;
  out.hiddenReduceSeconds = c.hiddenReduceSeconds;
  return out;
}

/** The stage at each ZeRO level asked that its mesh can price (just the stage when it has no ZeRO costs). */
export function zeroOptions(t: LayerCosts, core: StageCore, levels: readonly ZeroLevel[] | undefined, microbatches: number): StageCore[] {
  const out: StageCore[] = [];
  eachZeroOption(t, core, levels, microbatches, (c) => out.push(c));
  return out;
}

/**
 * zeroOptions one by one, without collecting them: each written into `out` when given (the DP's option builder prices
 * ~1e5 options in two reused objects and keeps few; `out` holds core's other fields), else a copy of core; `sums`:
 * the ZeRO sums of core's layers when the caller keeps them.
 */
export function eachZeroOption(t: LayerCosts, core: StageCore, levels: readonly ZeroLevel[] | undefined, microbatches: number,
  use: (c: StageCore) => void, out?: MutableCore, sums?: ZeroSums): void {
  if (!t.zero || !levels) { use(core); return; }
  const tied = tiedZeroElems(t, core.start, core.end);
  const s = sums ?? zeroSums(t.zero, core.start, core.end);
  for (const level of levels) {
    const c = out ?? { ...core };
    if (zeroLevelInto(c, t.zero, core, level, microbatches, tied, s)) use(c);
  }
}

/** An object to write a stage's costs into (writeCore), every field in place from the start (one hidden class). */
export function scratchCore(): MutableCore {
  return {
    meshId: 0, start: 0, end: 0, remat: false, recompute: 'none', forwardSeconds: 0, backwardSeconds: 0, weightGradientSeconds: 0, recomputeSeconds: 0,
    gradientSyncSeconds: 0, computeSeconds: 0, communicationSeconds: 0, paramBytes: 0, gradBytes: 0, optimizerBytes: 0,
    perMicrobatchBytes: 0, transientBytes: 0, stepsInFlight: 1, zero: undefined, hiddenReduceSeconds: undefined,
  };
}

/**
 * Writes the stage's costs (every StageCore field but the optional zero and expertParallel; hiddenReduceSeconds
 * undefined where not priced) into `out` (scratchCore:
 * one object reused for every option priced) and returns it.
 */
export function writeCore(out: MutableCore, r: StageSums, meshId: number, mode: Recompute | boolean): MutableCore {
  const t = r.table;
  const { start, end } = r;
  const kind: Recompute = mode === true ? 'full' : mode === false ? 'none' : mode;
  const remat = kind === 'full';
  const selective = kind === 'selective';
  // Selective keeps the rest of the layers' activations, so it pays what no remat pays besides (inter/runtime.ts).
  const recompute = remat ? r.recompute : selective ? r.attentionRecompute : 0;
  const noRemat = remat ? 0 : r.noRemat;
  // Tied parameters (read by several layers of this stage) are held, reduced and updated once.
  let tiedParam = 0;
  let tiedGrad = 0;
  let tiedOptimizer = 0;
  let tiedSync = 0;
  let tiedReduce = 0;
  for (const p of t.shared) {
    const n = readersIn(p.layers, start, end);
    if (n < 2) continue;
    tiedParam += (n - 1) * p.paramBytes;
    tiedGrad += (n - 1) * p.gradBytes;
    tiedOptimizer += (n - 1) * p.optimizerBytes;
    tiedSync += (n - 1) * (p.syncSeconds + (remat ? 0 : p.noRematSyncSeconds));
    tiedReduce += (n - 1) * p.reduceSeconds;
  }
  // Recomputed one layer (selective: one layer's attention cores) at a time.
  const maxAct = remat ? r.recomputePeak : selective ? r.attentionPeak : 0;
  const backward = r.backward + recompute + noRemat;
  // Buckets of one layer each: every layer's reduction runs beside the backward of the layers before it; a tied
  // parameter's is one reduction, not one per reader (as tiedSync above), else more would hide than is paid.
  const hidden = t.overlapGradientReduce ? hiddenSeconds(Math.max(0, r.gradientReduce - tiedReduce), backward, end - start) : 0;
  out.meshId = meshId;
  out.start = start;
  out.end = end;
  out.remat = remat;
  out.recompute = kind;
  out.forwardSeconds = r.forward;
  out.backwardSeconds = backward;
  out.weightGradientSeconds = r.weightGradient;
  out.recomputeSeconds = recompute;
  out.gradientSyncSeconds = r.gradientSync + (remat ? 0 : r.noRematGradientSync) - tiedSync - hidden;
  out.computeSeconds = r.compute + recompute + noRemat;
  out.communicationSeconds = r.communication;
  out.paramBytes = r.param - tiedParam;
  out.gradBytes = r.grad - tiedGrad;
  out.optimizerBytes = r.optimizer - tiedOptimizer;
  out.perMicrobatchBytes = remat ? r.rematActivation : r.activation - (selective ? r.attentionActivation : 0);
  out.transientBytes = maxAct + r.buffer;
  out.stepsInFlight = t.stepsInFlight;
  out.hiddenReduceSeconds = t.overlapGradientReduce ? hidden : undefined;
  return out;
}

/** The options priced for one (layers, sub-mesh) cell, before the dominance filter: parallel arrays, reused. */
export class CellOptions {
  n = 0;
  constructor(size: number, readonly s = new Float64Array(size), readonly mx = new Float64Array(size), readonly ms = new Int32Array(size),
    readonly once = new Float64Array(size), readonly f = new Float64Array(size), readonly t = new Float64Array(size),
    readonly capacity = new Float64Array(size), readonly w = new Float64Array(size), readonly mesh = new Int32Array(size), readonly remat = new Int32Array(size),
    /** Position among the mesh and recomputation's ZeRO options (stageOptions.ts eachZeroOption). */
    readonly zero = new Int32Array(size)) {}

  /** Is option b better than a: at least as good in every part the DP prices (all of OptionParts when `perPart`,
   * else 1F1B's fill, period, stages and once-per-step part), strictly in one, or equal and earlier? */
  beats(b: number, a: number, perPart: boolean): boolean {
    const { s, mx, ms, once, f, t, capacity } = this;
    return perPart
      ? f[b] <= f[a] && t[b] <= t[a] && once[b] <= once[a] && capacity[b] >= capacity[a] && ms[b] >= ms[a]
        && (f[b] < f[a] || t[b] < t[a] || once[b] < once[a] || capacity[b] > capacity[a] || ms[b] > ms[a] || b < a)
      : s[b] <= s[a] && mx[b] <= mx[a] && ms[b] >= ms[a] && s[b] - once[b] <= s[a] - once[a]
        && (s[b] < s[a] || mx[b] < mx[a] || ms[b] > ms[a] || s[b] - once[b] < s[a] - once[a] || b < a);
  }
}
