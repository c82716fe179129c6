/**
 * The stage DP's problem from per-layer costs (stageOptions.ts prices the options): every layer range's options
 * on each sub-mesh shape, kept unless another option of the same cell beats them in every part. A sub-mesh's
 * options read only its own logical meshes' tables, so they are built per sub-mesh (submeshCells) and merged in the
 * DP's (first layer, last layer, sub-mesh) order (assembleStageProblem): a search builds a sub-mesh's options as
 * soon as its meshes are profiled (search.ts SearchPrep), while the other sub-meshes' intra-op solves run.
 */
import type { StageDpProblem } from './stageConstruction.ts';
import type { OptionParts } from './schedulePricing.ts';
import { activationCapacity, maxStagesThatFit, sendEstimate, stageCore, type OptionMeta, type StageProblemInput } from './stageOptions.ts';
import type { StageCore } from './stageCore.ts';
import { usableAt } from './seqParallel.ts';
import { CellOptions, copyCore, eachZeroOption, scratchCore, writeCore, zeroOptions, StageSums } from './stageSums.ts';

/** The DP's problem, each option's StageCore (built when asked: the DP's answer reads a few of ~1e4 options) and
 * the parts each schedule prices it from. */
export interface StageProblem {
  readonly problem: StageDpProblem;
  readonly metaOf: (option: number) => OptionMeta;
  readonly parts: OptionParts;
}

/** The options one sub-mesh offers every layer range, range by range ((l, i) in order), one entry per field. */
export interface SubmeshCells {
  /** Options of range (l, i) are [rangeStart[l·L + i], rangeStart[l·L + i + 1]). */
  readonly rangeStart: Int32Array;
  readonly s: number[]; readonly once: number[]; readonly mx: number[]; readonly ms: number[];
  readonly f: number[]; readonly t: number[]; readonly w: number[]; readonly send: number[]; readonly capacity: number[];
  readonly cap: number[]; readonly units: number[];
  readonly mesh: number[]; readonly remat: number[]; readonly zero: number[];
}

/**
 * Sub-mesh m's options: for every layer range, logical mesh of m, recomputation and ZeRO level, the option's
 * fill/drain cost (`s`), period (`mx`) and most stages after it (`ms`); options that do not fit in memory or that
 * another option of the same cell beats in every part are left out. Each option is priced from running sums over
 * its layers (stageSums.ts) in one reused object.
 */
export function submeshCells(x: StageProblemInput, m: number): SubmeshCells {
  const L = x.layers;
  const sub = x.space.submeshes[m];
  const gpusPerNode = x.space.groups[sub.group].gpusPerNode;
  const limit = x.memoryLimitBytes[sub.group];
  const perPart = x.unitsPerLayer !== undefined;
  const levels = x.zeroLevels;
  // Running sums over the layers from l per logical mesh the DP may use (a table, and a data-parallel axis that
  // divides the micro-batch).
  const meshes = sub.meshes.flatMap((choice) => {
    const table = x.tables[choice.id];
    return table && usableAt(x.microbatch, choice) ? [{ id: choice.id, r: new StageSums(table, 0, true) }] : [];
  });
  const out: SubmeshCells = { rangeStart: new Int32Array(L * L + 1), s: [], once: [], mx: [], ms: [], f: [], t: [], w: [], send: [], capacity: [], cap: [], units: [], mesh: [], remat: [], zero: [] };
  const cell = new CellOptions(sub.meshes.length * x.remat.length * (levels?.length ?? 1));
  // The option being priced, and its ZeRO re-pricing.
  const scratch = scratchCore();
  const zeroScratch = scratchCore();
  for (let l = 0; l < L; l++) {
    for (const { r } of meshes) r.reset(l);
    let units = 0;
    for (let i = 0; i < L; i++) {
      const idx = l * L + i;
      out.rangeStart[idx] = out.s.length;
      if (i < l) { out.rangeStart[idx + 1] = out.s.length; continue; }
      for (const { r } of meshes) r.extend();
      units += x.unitsPerLayer ? x.unitsPerLayer[i] : 0;
      const send = sendEstimate(x.cluster, sub, i + 1 < L ? x.boundaryBytes[i + 1] : 0, gpusPerNode);
      const cap = Math.min(x.maxStages, L - l);
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
      for (const { id, r } of meshes) {
        mesh = id;
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
        out.s.push(cell.s[a]); out.once.push(cell.once[a]); out.mx.push(cell.mx[a]); out.ms.push(cell.ms[a]);
        out.f.push(cell.f[a]); out.t.push(cell.t[a]); out.w.push(cell.w[a]); out.send.push(send); out.capacity.push(cell.capacity[a]);
        out.cap.push(cap); out.units.push(x.unitsPerLayer ? units : 1);
        out.mesh.push(cell.mesh[a]); out.remat.push(cell.remat[a]); out.zero.push(cell.zero[a]);
      }
      out.rangeStart[idx + 1] = out.s.length;
    }
  }
  return out;
}

/** The DP's problem from every sub-mesh's options (cells[m] for sub-mesh m), in (l, i, m) order. */
export function assembleStageProblem(x: StageProblemInput, cells: readonly SubmeshCells[]): StageProblem {
  const L = x.layers;
  const M = x.space.submeshes.length;
  const n = cells.reduce((a, c) => a + c.s.length, 0);
  const optStart = new Int32Array(L * L * M + 1);
  const optSum = new Float64Array(n), optMax = new Float64Array(n), optOnce = new Float64Array(n), optMaxStages = new Int32Array(n);
  const forward = new Float64Array(n), total = new Float64Array(n), weight = new Float64Array(n), send = new Float64Array(n);
  const capacity = new Float64Array(n), cap = new Int32Array(n), units = new Int32Array(n);
  const first = new Uint8Array(n), last = new Uint8Array(n);
  // Where option o came from: its sub-mesh's cells and index there, and its layers (for metaOf).
  const from = new Int32Array(n), at = new Int32Array(n), start = new Int32Array(n), end = new Int32Array(n);
  let o = 0;
  for (let l = 0; l < L; l++) {
    for (let i = 0; i < L; i++) {
      for (let m = 0; m < M; m++) {
        const idx = (l * L + i) * M + m;
        optStart[idx] = o;
        const c = cells[m];
        for (let k = c.rangeStart[l * L + i]; k < c.rangeStart[l * L + i + 1]; k++, o++) {
          optSum[o] = c.s[k]; optMax[o] = c.mx[k]; optOnce[o] = c.once[k]; optMaxStages[o] = c.ms[k];
          forward[o] = c.f[k]; total[o] = c.t[k]; weight[o] = c.w[k]; send[o] = c.send[k];
          capacity[o] = c.capacity[k]; cap[o] = c.cap[k]; units[o] = c.units[k];
          first[o] = l === 0 ? 1 : 0; last[o] = i === L - 1 ? 1 : 0;
          from[o] = m; at[o] = k; start[o] = l; end[o] = i + 1;
        }
        optStart[idx + 1] = o;
      }
    }
  }
  const metaOf = (p: number): OptionMeta => {
    const c = cells[from[p]];
    const k = at[p];
    const table = x.tables[c.mesh[k]]!;
    const core = stageCore(table, c.mesh[k], start[p], end[p], x.remat[c.remat[k]]);
    return { core: zeroOptions(table, core, x.zeroLevels, x.microbatches)[c.zero[k]], sendSeconds: send[p] };
  };
  const throughput = x.objective === 'throughput';
  return {
    problem: {
      layers: L,
      meshes: x.space.submeshes.map((s) => ({ group: s.group, devices: s.devices })),
      groupDevices: x.space.groups.map((g) => g.devices),
      maxStages: Math.min(x.maxStages, L),
      optStart, optSum, optMax, optMaxStages, optOnce,
      // Throughput: the steady-state period decides; the fill only breaks ties.
      sumWeight: throughput ? 1e-6 : 1,
      maxWeight: throughput ? x.microbatches : x.microbatches - 1,
      // 1F1B keeps at most S micro-batches in flight, so the period is also bounded by a micro-batch's round trip
      // (every stage's compute and transfers: the sum) over S.
      roundTrip: x.training && x.schedule !== 'gpipe',
    },
    metaOf,
    parts: { forward, total, send, ...(x.training ? { weight } : {}), sync: optOnce.slice(), first, last, capacity, cap, units },
  };
}

/** The stage DP's options for every layer range, sub-mesh shape, logical mesh, recomputation and ZeRO level. */
export function buildStageProblem(x: StageProblemInput): StageProblem {
  return assembleStageProblem(x, x.space.submeshes.map((_, m) => submeshCells(x, m)));
}
