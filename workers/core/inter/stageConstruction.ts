/**
 * Stage construction (alpa.md §3; paper §5.1-5.2): slice L layers into S consecutive stages and the cluster into
 * sub-meshes, one per stage, minimising
 *   T = sumWeight * Σ_i sum_i + maxWeight * max_i max_i            (training: sumWeight 1, maxWeight B - 1)
 * where a stage option's `sum` is what it adds to the pipeline's fill and drain (its forward + backward, its
 * boundary transfers and, for the first stage, its gradient synchronisation) and `max` its steady-state period
 * per micro-batch.
 * Alpa's DP for a fixed t_max (options with max <= t_max only):
 *   F(s, l, d) = min_{i >= l, mesh m, |m| <= d, option o: max_o <= t_max, s <= maxStages_o} sum_o + F(s - 1, i + 1, d - |m|)
 * with F(0, L, 0) = 0, the path's actual max tracked beside F, t_max enumerated over the distinct option maxima in
 * ascending order and the loop broken once (maxWeight + sumWeight) * t_max >= best (the "early pruning" of §5.2).
 * `s` counts the stages from this one to the end: 1F1B keeps that many micro-batches in flight (Eq. 5), so an
 * option's memory bounds it by maxStages_o. Heterogeneous clusters: each stage stays inside one GPU group, and the
 * pipeline visits the groups one after another (all stages of one group, then the next group's): for one order of
 * the groups d is a single count over the groups laid end to end, so the DP has sum_g (D_g) + 1 device states
 * instead of prod_g (D_g + 1) (16,705 for 256 + 64 GPUs, which took minutes; 321 now), and every order of the groups
 * is tried (at most 4! = 24; boundary/limits.ts gpuGroups). Pipelines that leave a group and come back to it are
 * not searched: the stages of a group sit side by side, as they would on one network. With `roundTrip` the period is
 * max(path max, (Σ sum - once) / S): 1F1B holds at most S micro-batches in flight, so one micro-batch's round trip
 * over S bounds it, and the round trip leaves out what the first stage pays once per step (`once`: its gradient
 * synchronisation, which (B - 1) x Σ / S would count once per micro-batch). For fixed t_max and S the objective grows
 * with Σ along every partial path, and the first stage (chosen last) is compared by the whole objective, so the DP
 * stays exact. This file is the numeric kernel: typed arrays in, slices out.
 */

export interface StageDpProblem {
  readonly layers: number;
  /** Sub-mesh shapes the stages may take: GPU-type group and device count. */
  readonly meshes: readonly { readonly group: number; readonly devices: number }[];
  /** Devices of each group; every device is used. */
  readonly groupDevices: readonly number[];
  /** Most stages (<= layers). */
  readonly maxStages: number;
  /** Options of stage (l..i) on mesh m at flat index (l * L + i) * M + m: [optStart[idx], optStart[idx + 1]). */
  readonly optStart: Int32Array;
  readonly optSum: Float64Array;
  readonly optMax: Float64Array;
  /** Largest s (stages from this one to the end, itself included) the option's memory allows; 0: never fits. */
  readonly optMaxStages: Int32Array;
  /** The part of optSum paid once per step, not per micro-batch (the first stage's gradient synchronisation): left
   * out of the round trip. Absent: 0. */
  readonly optOnce?: Float64Array;
  readonly sumWeight: number;
  readonly maxWeight: number;
  /** Period = max(path max, path sum / S) instead of the path max when S > 1 (1F1B's in-flight limit). */
  readonly roundTrip?: boolean;
  /** Fewest stages of a solution, and the least option sum / max (default 1) for the pruning bound (schedulePricing.ts). */
  readonly minStages?: number;
  readonly sumOverMax?: number;
}

export interface DpStage {
  /** Layers [start, end). */
  readonly start: number;
  readonly end: number;
  readonly mesh: number;
  /** Flat option index. */
  readonly option: number;
}

export interface StageDpSolution {
  /** sumWeight * Σ + maxWeight * t_max of the best slicing (seconds per step before the schedule simulation). */
  readonly objectiveSeconds: number;
  /** Σ of the stages' fill/drain costs, the largest stage period on the path, and the t_max bound it was found under. */
  readonly sumSeconds: number;
  readonly pathMaxSeconds: number;
  readonly tMaxSeconds: number;
  readonly stages: readonly DpStage[];
  /** DP runs: t_max values tried (binary search included). */
  readonly dpRuns: number;
}

export interface StageDpOptions {
  /** t_max values within this relative distance of the last one tried are skipped (0: exact). */
  readonly tMaxRelativeGap?: number;
  /** Objective of a plan found elsewhere (another micro-batch count): prunes t_max values that cannot beat it. */
  readonly bestKnown?: number;
}

import { orderLayout, groupOrders, quantised, tMaxCandidates, dpTables, type Layout, type Tables } from './dpStates.ts';

export { dpCells, groupOrders, quantised, tMaxCandidates } from './dpStates.ts';

/** One DP pass for a fixed t_max. */
function runDp(p: StageDpProblem, tMax: number, layout: Layout): Tables {
  const L = p.layers;
  const M = p.meshes.length;
  const S = p.maxStages;
  const N = layout.count;
  const plane = (L + 1) * N;
  const tables = dpTables((S + 1) * plane);
  const { F, PM, choice, choiceOpt } = tables;
  // Per row (s stages, from layer l): the lowest and highest device state with a finite F, so that states
  // no pipeline reaches are not visited (an empty row: lo > hi).
  const lo = new Int32Array((S + 1) * (L + 1)).fill(N);
  const hi = new Int32Array((S + 1) * (L + 1)).fill(-1);
  F[0 * plane + L * N + 0] = 0;
  PM[0 * plane + L * N + 0] = 0;
  lo[L] = hi[L] = 0;
  for (let s = 1; s <= S; s++) {
    for (let l = L - 1; l >= 0; l--) {
      if (L - l < s) continue;
      const row = s * plane + l * N;
      for (let i = l; i < L; i++) {
        const next = i + 1;
        const rest = L - next;
        if (s === 1 ? rest !== 0 : rest < s - 1) continue;
        const prevRow = (s - 1) * plane + next * N;
        const [prevLo, prevHi] = [lo[(s - 1) * (L + 1) + next], hi[(s - 1) * (L + 1) + next]];
        if (prevLo > prevHi) continue;
        for (let m = 0; m < M; m++) {
          const idx = (l * L + i) * M + m;
          if (l === 0) {
            firstStage(p, s, i, m, idx, tMax, layout, tables);
            continue;
          }
          let best = -1;
          for (let o = p.optStart[idx]; o < p.optStart[idx + 1]; o++) {
            if (p.optMax[o] <= tMax && p.optMaxStages[o] >= s && (best < 0 || p.optSum[o] < p.optSum[best])) best = o;
          }
          if (best < 0) continue;
          const c = p.optSum[best];
          const cm = p.optMax[best];
          const size = p.meshes[m].devices;
          const g = p.meshes[m].group;
          // States where the stages from l on start in group g with at least `size` of its devices left.
          const top = Math.min(layout.offsets[g] + p.groupDevices[g], prevHi + size);
          for (let st = Math.max(layout.offsets[g], prevLo) + size; st <= top; st++) {
            const prev = prevRow + st - size;
            const f = F[prev];
            if (f === Infinity) continue;
            const v = c + f;
            const pm = Math.max(cm, PM[prev]);
            const cur = row + st;
            if (v < F[cur] - 1e-12 * v || (v <= F[cur] + 1e-12 * v && pm < PM[cur])) {
              F[cur] = v;
              PM[cur] = pm;
              choice[cur] = i * M + m;
              choiceOpt[cur] = best;
              lo[s * (L + 1) + l] = Math.min(lo[s * (L + 1) + l], st);
              hi[s * (L + 1) + l] = Math.max(hi[s * (L + 1) + l], st);
            }
          }
        }
      }
    }
  }
  return tables;
}

/** The objective of a whole pipeline of s stages: Σ, path max and the first stage's once-per-step part. */
function objectiveOf(p: StageDpProblem, s: number, sum: number, pathMax: number, once: number): number {
  // One stage has nothing in flight to wait for; its sum also carries the once-per-step gradient sync.
  const period = p.roundTrip && s > 1 ? Math.max(pathMax, (sum - once) / s) : pathMax;
  return p.sumWeight * sum + p.maxWeight * period;
}

/**
 * The first stage (layers 0..i on mesh m, s stages in all) takes every device left: every option that fits is
 * compared by the whole objective, since its once-per-step part is outside the round trip.
 */
function firstStage(p: StageDpProblem, s: number, i: number, m: number, idx: number, tMax: number, layout: Layout, t: Tables): void {
  const L = p.layers;
  const plane = (L + 1) * layout.count;
  const size = p.meshes[m].devices;
  const g = p.meshes[m].group;
  // The first stage starts the pipeline: every device is left, and its group's devices are the highest states.
  if (layout.offsets[g] + p.groupDevices[g] !== layout.full) return;
  const prev = (s - 1) * plane + (i + 1) * layout.count + layout.full - size;
  const f = t.F[prev];
  if (f === Infinity) return;
  const cur = s * plane + layout.full;
  let bestKey = t.F[cur] === Infinity ? Infinity : objectiveOf(p, s, t.F[cur], t.PM[cur], p.optOnce?.[t.choiceOpt[cur]] ?? 0);
  for (let o = p.optStart[idx]; o < p.optStart[idx + 1]; o++) {
    if (p.optMax[o] > tMax || p.optMaxStages[o] < s) continue;
    const v = p.optSum[o] + f;
    const pm = Math.max(p.optMax[o], t.PM[prev]);
    const key = objectiveOf(p, s, v, pm, p.optOnce?.[o] ?? 0);
    if (key < bestKey - 1e-12 * key || (key <= bestKey + 1e-12 * key && pm < t.PM[cur])) {
      bestKey = key;
      t.F[cur] = v;
      t.PM[cur] = pm;
      t.choice[cur] = i * p.meshes.length + m;
      t.choiceOpt[cur] = o;
    }
  }
}

function bestOf(p: StageDpProblem, t: Tables, layout: Layout): { s: number; objective: number } | null {
  const plane = (p.layers + 1) * layout.count;
  let best: { s: number; objective: number } | null = null;
  for (let s = p.minStages ?? 1; s <= p.maxStages; s++) {
    const k = s * plane + layout.full;
    if (t.F[k] === Infinity) continue;
    const objective = objectiveOf(p, s, t.F[k], t.PM[k], p.optOnce?.[t.choiceOpt[k]] ?? 0);
    if (!best || objective < best.objective - 1e-12 * objective) best = { s, objective };
  }
  return best;
}

function reconstruct(p: StageDpProblem, t: Tables, layout: Layout, s0: number): DpStage[] {
  const M = p.meshes.length;
  const N = layout.count;
  const plane = (p.layers + 1) * N;
  const out: DpStage[] = [];
  let st = layout.full;
  let l = 0;
  for (let s = s0; s >= 1; s--) {
    const k = s * plane + l * N + st;
    const c = t.choice[k];
    const i = Math.floor(c / M);
    const m = c % M;
    out.push({ start: l, end: i + 1, mesh: m, option: t.choiceOpt[k] });
    st -= p.meshes[m].devices;
    l = i + 1;
  }
  return out;
}

export type StageDpResult =
  | ({ readonly kind: 'ok' } & StageDpSolution)
  | { readonly kind: 'infeasible'; readonly dpRuns: number }
  /** Every t_max that fits was pruned by options.bestKnown. */
  | { readonly kind: 'pruned'; readonly lowerBoundSeconds: number; readonly dpRuns: number };

/** Solves the stage DP: every order of the GPU groups, the best kept (ties: the first order). */
export function solveStageDp(problem: StageDpProblem, options: StageDpOptions = {}): StageDpResult {
  const p = quantised(problem);
  let best: StageDpResult | undefined;
  let dpRuns = 0;
  let lowerBound = Infinity;
  for (const order of groupOrders(p.groupDevices.length)) {
    const known = Math.min(options.bestKnown ?? Infinity, best?.kind === 'ok' ? best.objectiveSeconds : Infinity);
    const r = solveOrder(p, orderLayout(p.groupDevices, order), { ...options, bestKnown: known });
    dpRuns += r.dpRuns;
    if (r.kind === 'ok' && (best?.kind !== 'ok' || r.objectiveSeconds < best.objectiveSeconds - 1e-12 * r.objectiveSeconds)) best = r;
    if (r.kind === 'pruned') lowerBound = Math.min(lowerBound, r.lowerBoundSeconds);
  }
  if (best?.kind === 'ok') return { ...best, dpRuns };
  return lowerBound < Infinity ? { kind: 'pruned', lowerBoundSeconds: lowerBound, dpRuns } : { kind: 'infeasible', dpRuns };
}

/** The DP for one order of the groups. */
function solveOrder(p: StageDpProblem, layout: Layout, options: StageDpOptions): StageDpResult {
  const cands = tMaxCandidates(p, options.tMaxRelativeGap ?? 0);
  let dpRuns = 0;
  if (cands.length === 0) return { kind: 'infeasible', dpRuns };
  const weight = p.maxWeight + p.sumWeight * (p.sumOverMax ?? 1);
  if (p.maxWeight > 0 && weight * cands[0] >= (options.bestKnown ?? Infinity)) return { kind: 'pruned', lowerBoundSeconds: weight * cands[0], dpRuns };
  const evaluate = (t: number): { s: number; objective: number } | null => { dpRuns++; return bestOf(p, runDp(p, t, layout), layout); };
  // Feasibility grows with t_max: check the loosest, then binary search the first feasible value.
  const loosest = evaluate(cands[cands.length - 1]);
  if (!loosest) return { kind: 'infeasible', dpRuns };
  let best: { objective: number; tMax: number; s: number } | null = null;
  if (p.maxWeight === 0) {
    best = { ...loosest, tMax: cands[cands.length - 1] };
  } else {
    let lo = 0;
    let hi = cands.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (evaluate(cands[mid])) hi = mid; else lo = mid + 1;
    }
    const bound = (): number => Math.min(best?.objective ?? Infinity, options.bestKnown ?? Infinity);
    for (let k = lo; k < cands.length; k++) {
      const t = cands[k];
      if (weight * t >= bound()) break;
      const b = evaluate(t);
      if (b && (!best || b.objective < best.objective - 1e-12 * b.objective)) best = { objective: b.objective, tMax: t, s: b.s };
    }
    if (!best) return { kind: 'pruned', lowerBoundSeconds: weight * cands[lo], dpRuns };
  }
  const tables = runDp(p, best.tMax, layout);
  const k = best.s * (p.layers + 1) * layout.count + layout.full;
  return {
    kind: 'ok',
    objectiveSeconds: best.objective,
    sumSeconds: tables.F[k],
    pathMaxSeconds: tables.PM[k],
    tMaxSeconds: best.tMax,
    stages: reconstruct(p, tables, layout, best.s),
    dpRuns,
  };
}
