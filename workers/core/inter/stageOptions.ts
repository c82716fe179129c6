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
import type { ZeroLevel } from './zeroStages.ts';
import { dataParallelOf } from './seqParallel.ts';
import { lazyArray } from '../lazy.ts';
import { CellOptions, copyCore, eachZeroOption, scratchCore, stageSums, writeCore, zeroOptions, StageSums } from './stageSums.ts';

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

/**
 * The stage DP's options: for every layer range, sub-mesh shape, logical mesh, recomputation and ZeRO level, the
 * option's fill/drain cost, period and most stages after it; options that do not fit in memory or that another
 * option of the same cell beats in every part are left out. Each option is priced from running sums over its
 * layers (stageSums.ts) in one reused object; a StageCore is built only for a kept option the caller reads (`meta`
 * is a lazyArray: the DP's answer reads a few of ~1e4).
 */
export function buildStageProblem(x: StageProblemInput): { problem: StageDpProblem; meta: OptionMeta[]; parts: OptionParts } {
  const L = x.layers;
  const M = x.space.submeshes.length;
  const optStart = new Int32Array(L * L * M + 1);
  const sum: number[] = [];
  const once: number[] = [];
  const max: number[] = [];
  const maxS: number[] = [];
  // The kept options' mesh, recomputation, ZeRO position and layers: their StageCores are built when read (the DP
  // reads a few: its answer's stages).
  const kept = { mesh: [] as number[], remat: [] as number[], zero: [] as number[], start: [] as number[], end: [] as number[] };
  const part = { forward: [] as number[], total: [] as number[], weight: [] as number[], send: [] as number[], sync: [] as number[], first: [] as number[], last: [] as number[], capacity: [] as number[], cap: [] as number[], units: [] as number[] };
  const perPart = x.unitsPerLayer !== undefined;
  // Per mesh id: running sums over the layers from l, or undefined where the DP may not use the mesh (no table, or a
  // data-parallel axis that does not divide the micro-batch).
  const sums = x.space.meshes.map((mesh) => {
    const table = x.tables[mesh.id];
    return table && x.microbatch % dataParallelOf(mesh.logical, mesh.variant) === 0 ? new StageSums(table, 0, true) : undefined;
  });
  const levels = x.zeroLevels;
  const cell = new CellOptions(Math.max(0, ...x.space.submeshes.map((sub) => sub.meshes.length)) * x.remat.length * (levels?.length ?? 1));
  // The option being priced, and its ZeRO re-pricing.
  const scratch = scratchCore();
  const zeroScratch = scratchCore();
  for (let l = 0; l < L; l++) {
    for (const r of sums) r?.reset(l);
    let units = 0;
    for (let i = 0; i < L; i++) {
      if (i >= l) {
        for (const r of sums) r?.extend();
        units += x.unitsPerLayer ? x.unitsPerLayer[i] : 0;
      }
      for (let m = 0; m < M; m++) {
        const idx = (l * L + i) * M + m;
        optStart[idx] = sum.length;
        if (i < l) { optStart[idx + 1] = sum.length; continue; }
        const sub = x.space.submeshes[m];
        const group = x.space.groups[sub.group];
        const bytes = i + 1 < L ? x.boundaryBytes[i + 1] : 0;
        const send = sendEstimate(x.cluster, sub, bytes, group.gpusPerNode);
        const cap = Math.min(x.maxStages, L - l);
        const limit = x.memoryLimitBytes[sub.group];
        cell.n = 0;
        // The mesh and recomputation being priced, and the position among their ZeRO options (eachZeroOption).
        let mesh = 0;
        let remat = 0;
        let position = 0;
        const add = (core: StageCore): void => {
          const zero = position++;
          const capacity = activationCapacity(core, limit);
          const ms = maxStagesThatFit(core, x.schedule, x.microbatches, limit, cap);
          if (ms === 0 && !(perPart && capacity >= 1)) return;
          const t = core.forwardSeconds + (x.training ? core.backwardSeconds : 0);
          // Gradient sync runs after a stage's last backward; only the first stage's (which finishes last) lies
          // on the step's critical path, the others overlap the drain of the stages before them. It is paid once
          // per step, so it stays out of the micro-batch round trip (stageConstruction.ts). syncEveryStage counts
          // every stage's: stage j's is exposed by what exceeds the backwards and sends of the stages before it.
          const sync = x.training && (l === 0 || x.syncEveryStage) ? core.gradientSyncSeconds : 0;
          const k = cell.n++;
          cell.s[k] = x.training ? t + 2 * send + sync : t + send;
          cell.mx[k] = Math.max(t, send);
          cell.ms[k] = ms;
          cell.once[k] = sync;
          cell.f[k] = core.forwardSeconds;
          cell.t[k] = t;
          cell.capacity[k] = capacity;
          cell.w[k] = core.weightGradientSeconds;
          cell.mesh[k] = mesh;
          cell.remat[k] = remat;
          cell.zero[k] = zero;
        };
        for (const choice of sub.meshes) {
          const r = sums[choice.id];
          if (!r) continue;
          mesh = choice.id;
          for (remat = 0; remat < x.remat.length; remat++) {
            position = 0;
            writeCore(scratch, r, mesh, x.remat[remat]);
            eachZeroOption(r.table, scratch, levels, x.microbatches, add, copyCore(zeroScratch, scratch), r.zero);
          }
        }
        for (let a = 0; a < cell.n; a++) {
          let beaten = false;
          for (let b = 0; b < cell.n && !beaten; b++) beaten = b !== a && cell.beats(b, a, perPart);
          if (beaten) continue;
          sum.push(cell.s[a]); once.push(cell.once[a]); max.push(cell.mx[a]); maxS.push(cell.ms[a]);
          kept.mesh.push(cell.mesh[a]); kept.remat.push(cell.remat[a]); kept.zero.push(cell.zero[a]); kept.start.push(l); kept.end.push(i + 1);
          part.forward.push(cell.f[a]); part.total.push(cell.t[a]); part.weight.push(cell.w[a]); part.send.push(send);
          part.sync.push(cell.once[a]); part.first.push(l === 0 ? 1 : 0); part.last.push(i === L - 1 ? 1 : 0); part.capacity.push(cell.capacity[a]); part.cap.push(cap); part.units.push(x.unitsPerLayer ? units : 1);
        }
        optStart[idx + 1] = sum.length;
      }
    }
  }
  const meta = lazyArray<OptionMeta>(sum.length, (o) => {
    const table = sums[kept.mesh[o]]!.table;
    const core = stageCore(table, kept.mesh[o], kept.start[o], kept.end[o], x.remat[kept.remat[o]]);
    return { core: zeroOptions(table, core, levels, x.microbatches)[kept.zero[o]], sendSeconds: part.send[o] };
  });
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
