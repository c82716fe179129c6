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
import type { StageDpProblem } from './stageConstruction.ts';
import type { OptionParts } from './schedulePricing.ts';
import type { LayerCosts } from './stageCosts.ts';
import type { MeshSpace } from './meshSpace.ts';
import { sendEstimate } from './sends.ts';

export { sendEstimate, sendSeconds } from './sends.ts';
import { atZeroLevel, hiddenSeconds, type ZeroLevel } from './zeroStages.ts';
import { dataParallelOf } from './seqParallel.ts';

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

function sumRange(a: Float64Array, start: number, end: number): number {
  let s = 0;
  for (let k = start; k < end; k++) s += a[k];
  return s;
}

export function stageCore(t: LayerCosts, meshId: number, start: number, end: number, mode: Recompute | boolean): StageCore {
  const kind: Recompute = mode === true ? 'full' : mode === false ? 'none' : mode;
  const remat = kind === 'full';
  const selective = kind === 'selective';
  // Selective keeps the rest of the layers' activations, so it pays what no remat pays besides (inter/runtime.ts).
  const recompute = remat ? sumRange(t.recomputeSeconds, start, end) : selective ? sumRange(t.attentionRecomputeSeconds, start, end) : 0;
  const noRemat = remat ? 0 : sumRange(t.noRematSeconds, start, end);
  // Tied parameters (read by several layers of this stage) are held, reduced and updated once.
  let tiedParam = 0;
  let tiedGrad = 0;
  let tiedOptimizer = 0;
  let tiedSync = 0;
  for (const p of t.shared) {
    const n = p.layers.filter((k) => k >= start && k < end).length;
    if (n < 2) continue;
    tiedParam += (n - 1) * p.paramBytes;
    tiedGrad += (n - 1) * p.gradBytes;
    tiedOptimizer += (n - 1) * p.optimizerBytes;
    tiedSync += (n - 1) * (p.syncSeconds + (remat ? 0 : p.noRematSyncSeconds));
  }
  let maxAct = 0;
  let maxBuffer = 0;
  let ep = 0;
  const backward = sumRange(t.backwardSeconds, start, end) + recompute + noRemat;
  // Buckets of one layer each: every layer's reduction runs beside the backward of the layers before it.
  const hidden = t.overlapGradientReduce ? hiddenSeconds(Math.max(0, sumRange(t.gradientReduceSeconds, start, end)), backward, end - start) : 0;
  for (let k = start; k < end; k++) {
    // Recomputed one layer (selective: one layer's attention cores) at a time.
    maxAct = Math.max(maxAct, remat ? t.recomputePeakBytes[k] : selective ? t.attentionActivationBytes[k] : 0);
    maxBuffer = Math.max(maxBuffer, t.bufferBytes[k]);
    ep = Math.max(ep, t.expertParallel[k]);
  }
  return {
    meshId, start, end, remat, recompute: kind,
    forwardSeconds: sumRange(t.forwardSeconds, start, end),
    backwardSeconds: backward,
    weightGradientSeconds: sumRange(t.weightGradientSeconds, start, end),
    recomputeSeconds: recompute,
    gradientSyncSeconds: sumRange(t.gradientSyncSeconds, start, end) + (remat ? 0 : sumRange(t.noRematGradientSyncSeconds, start, end)) - tiedSync - hidden,
    computeSeconds: sumRange(t.computeSeconds, start, end) + recompute + noRemat,
    communicationSeconds: sumRange(t.communicationSeconds, start, end),
    paramBytes: sumRange(t.paramBytes, start, end) - tiedParam,
    gradBytes: sumRange(t.gradBytes, start, end) - tiedGrad,
    optimizerBytes: sumRange(t.optimizerBytes, start, end) - tiedOptimizer,
    perMicrobatchBytes: remat ? sumRange(t.rematActivationBytes, start, end)
      : sumRange(t.activationBytes, start, end) - (selective ? sumRange(t.attentionActivationBytes, start, end) : 0),
    transientBytes: maxAct + maxBuffer,
    stepsInFlight: t.stepsInFlight,
    ...(t.zero ? { zero: t.zero.level } : {}),
    ...(ep > 0 ? { expertParallel: ep } : {}),
    ...(t.overlapGradientReduce ? { hiddenReduceSeconds: hidden } : {}),
  };
}

/** The stage at each ZeRO level asked that its mesh can price (just the stage when it has no ZeRO costs). */
export function zeroOptions(t: LayerCosts, core: StageCore, levels: readonly ZeroLevel[] | undefined, microbatches: number): StageCore[] {
  if (!t.zero || !levels) return [core];
  const z = t.zero;
  let tied = 0;
  for (const p of t.shared) {
    const n = p.layers.filter((k) => k >= core.start && k < core.end).length;
    if (n > 1) tied += (n - 1) * p.zeroElems;
  }
  return levels.map((level) => atZeroLevel(z, core, level, microbatches, tied)).filter((c): c is StageCore => c !== null);
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
  return memoryTotal(m) + (c.stepsInFlight - 1) * (m.gradBytes + m.activationBytes + m.temporaryBytes);
}

/** Most in-flight micro-batches (whole-stage activations) whose memory fits the limit; -1 when not even none. */
export function activationCapacity(c: StageCore, limitBytes: number): number {
  const base = requiredBytes(c, stageMemory(c, 0));
  const per = requiredBytes(c, stageMemory(c, 1)) - base;
  if (base > limitBytes) return -1;
  return per > 0 ? (limitBytes - base) / per : Infinity;
}

/** Largest s (stages from this one to the end) whose memory fits; 0 when none. */
export function maxStagesThatFit(c: StageCore, schedule: ScheduleKind, microbatches: number, limitBytes: number, cap: number): number {
  let s = 0;
  while (s < cap && requiredBytes(c, stageMemory(c, inFlight(schedule, s + 1, microbatches))) <= limitBytes) s++;
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
}

/** Is option a at least as good as b in every respect? */
function dominates(a: OptionCost, b: OptionCost): boolean {
  return a.s <= b.s && a.mx <= b.mx && a.ms >= b.ms && a.s - a.once <= b.s - b.once;
}

/** An option's fill/drain cost, period, most stages after it, and the part of its fill paid once per step. */
interface OptionCost { readonly s: number; readonly mx: number; readonly ms: number; readonly once: number }

export function buildStageProblem(x: StageProblemInput): { problem: StageDpProblem; meta: OptionMeta[]; parts: OptionParts } {
  const L = x.layers;
  const M = x.space.submeshes.length;
  const optStart = new Int32Array(L * L * M + 1);
  const sum: number[] = [];
  const once: number[] = [];
  const max: number[] = [];
  const maxS: number[] = [];
  const meta: OptionMeta[] = [];
  const part = { forward: [] as number[], total: [] as number[], weight: [] as number[], send: [] as number[], sync: [] as number[], first: [] as number[], last: [] as number[], capacity: [] as number[], cap: [] as number[], units: [] as number[] };
  const perPart = x.unitsPerLayer !== undefined;
  for (let l = 0; l < L; l++) for (let i = 0; i < L; i++) for (let m = 0; m < M; m++) {
    const idx = (l * L + i) * M + m;
    optStart[idx] = sum.length;
    if (i < l) { optStart[idx + 1] = sum.length; continue; }
    const sub = x.space.submeshes[m];
    const group = x.space.groups[sub.group];
    const bytes = i + 1 < L ? x.boundaryBytes[i + 1] : 0;
    const send = sendEstimate(x.cluster, sub, bytes, group.gpusPerNode);
    const cap = Math.min(x.maxStages, L - l);
    const units = x.unitsPerLayer ? x.unitsPerLayer.slice(l, i + 1).reduce((a, b) => a + b, 0) : 1;
    const local: (OptionCost & { meta: OptionMeta; f: number; t: number; capacity: number })[] = [];
    for (const mesh of sub.meshes) {
      const table = x.tables[mesh.id];
      if (x.microbatch % dataParallelOf(mesh.logical, mesh.variant) !== 0 || !table) continue;
      for (const remat of x.remat) for (const core of zeroOptions(table, stageCore(table, mesh.id, l, i + 1, remat), x.zeroLevels, x.microbatches)) {
        const capacity = activationCapacity(core, x.memoryLimitBytes[sub.group]);
        const ms = maxStagesThatFit(core, x.schedule, x.microbatches, x.memoryLimitBytes[sub.group], cap);
        if (ms === 0 && !(perPart && capacity >= 1)) continue;
        const t = core.forwardSeconds + (x.training ? core.backwardSeconds : 0);
        // Gradient sync runs after a stage's last backward; only the first stage's (which finishes last) lies
        // on the step's critical path, the others overlap the drain of the stages before them. It is paid once
        // per step, so it stays out of the micro-batch round trip (stageConstruction.ts).
        const sync = x.training && l === 0 ? core.gradientSyncSeconds : 0;
        const s = x.training ? t + 2 * send + sync : t + send;
        local.push({ s, mx: Math.max(t, send), ms, once: sync, meta: { core, sendSeconds: send }, f: core.forwardSeconds, t, capacity });
      }
    }
    local.forEach((a, ai) => {
      const beaten = local.some((b, bi) => bi !== ai && (perPart
        ? b.f <= a.f && b.t <= a.t && b.once <= a.once && b.capacity >= a.capacity && b.ms >= a.ms
          && (b.f < a.f || b.t < a.t || b.once < a.once || b.capacity > a.capacity || b.ms > a.ms || bi < ai)
        : dominates(b, a) && (b.s < a.s || b.mx < a.mx || b.ms > a.ms || b.s - b.once < a.s - a.once || bi < ai)));
      if (beaten) return;
      sum.push(a.s); once.push(a.once); max.push(a.mx); maxS.push(a.ms); meta.push(a.meta);
      part.forward.push(a.f); part.total.push(a.t); part.weight.push(a.meta.core.weightGradientSeconds); part.send.push(send); part.sync.push(a.once); part.first.push(l === 0 ? 1 : 0);
      part.last.push(i === L - 1 ? 1 : 0); part.capacity.push(a.capacity); part.cap.push(cap); part.units.push(units);
    });
    optStart[idx + 1] = sum.length;
  }
  const throughput = x.objective === 'throughput';
  return {
    problem: {
      layers: L,
      meshes: x.space.submeshes.map((s) => ({ group: s.group, devices: s.devices })),
      groupDevices: x.space.groups.map((g) => g.devices),
      maxStages: Math.min(x.maxStages, L),
      optStart, optSum: Float64Array.from(sum), optMax: Float64Array.from(max), optMaxStages: Int32Array.from(maxS),
      optOnce: Float64Array.from(once),
      // Throughput: the steady-state period decides; the fill only breaks ties.
      sumWeight: throughput ? 1e-6 : 1,
      maxWeight: throughput ? x.microbatches : x.microbatches - 1,
      // 1F1B keeps at most S micro-batches in flight, so the period is also bounded by a micro-batch's round trip
      // (every stage's compute and transfers: the sum) over S.
      roundTrip: x.training && x.schedule !== 'gpipe',
    },
    meta,
    parts: {
      forward: Float64Array.from(part.forward), total: Float64Array.from(part.total), send: Float64Array.from(part.send),
      ...(x.training ? { weight: Float64Array.from(part.weight) } : {}),
      sync: Float64Array.from(part.sync), first: Uint8Array.from(part.first), last: Uint8Array.from(part.last),
      capacity: Float64Array.from(part.capacity), cap: Int32Array.from(part.cap), units: Int32Array.from(part.units),
    },
  };
}
