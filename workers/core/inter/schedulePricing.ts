/**
 * Each pipeline schedule's own bubble and memory in the stage DP (issue 14), priced from the same per-stage costs
 * (forward f, forward + backward t, boundary send d, gradient sync) with Alpa's shape T = Σ sum_i + W · t_max.
 * A send occupies the link between two stages, not a compute stream (schedule/): it lengthens the fill and drain
 * once per crossing, and the period only where the schedule's in-flight limit puts it on a cycle.
 * - 1F1B (and eager 1F1B, GPipe): sum = t + 2d (+ the first stage's gradient sync; every stage's under
 *   syncEveryStage, plan/searched.ts), W = B - 1 (alpa.md §3). In flight: min(s, B); GPipe B; eager min(2s - 1, B).
 *   1F1B's stage i holds S - i micro-batches, so F(i, m + S - i) waits for B(i, m), which waited for the micro-batch's
 *   trip down and back: a window of stages j..j+k repeats every k + 1 micro-batches, and the period is the largest
 *   window mean (Σ t + 2 Σ inner d) / (k + 1). The DP prices one stage (t) and all S (the round trip Σ sum / S:
 *   stageConstruction.ts roundTrip); the windows in between need the neighbours' options. On uniform stages every
 *   send lengthens the period by 2 (S - 1) d / S: step B (t + 2 (S - 1) d / S) + (S - 1) t + 2 (S - 2) d for d <= f,
 *   which the DP over-prices by exactly 2d / S. Eager 1F1B's deeper warm-up hides sends up to t / 2:
 *   (B + S - 1) t + 2 (S - 1) d, exact; GPipe runs the forwards and then the backwards as two flow shops, each as
 *   slow as its slowest stage or link: max = max(f, d) + max(t - f, d), exact on uniform stages for every d. Neither
 *   has 1F1B's round trip.
 * - Interleaved 1F1B with v chunks per device (schedule/interleaved.ts): a chunk takes t / v and a micro-batch
 *   crosses every boundary v times (device S-1 -> 0 v - 1 times, at the first stage's send), so
 *   sum = t / v + 2 v d (first stage: + 2 (v - 1) d), max = max(t, v d), W = B - 1/v: on uniform stages
 *   B t + (S - 1) t / v (+ the sends' fill), the simulated step while d <= f / v. Device i holds (Megatron's warm-up
 *   + 1) chunks of 1/v of its activations: min(B v, 2 (S - i - 1) + (v - 1) S + 1) / v micro-batches, which depends
 *   on S itself, so the DP runs once per stage count S (a divisor of B: Megatron's requirement) with solutions of
 *   exactly S stages.
 * - ZB-H1 (schedule/zeroBubble.ts, Qi et al. ICLR'24 §2.1): the backward splits into the input gradient bi and the
 *   weight gradient w (half each unless the stage says). The fill/drain path passes each stage's c =
 *   max(f + 3d, bi + 2d, f + bi - w + 4d) (each boundary's send on the F chain down, the B chain up and the drain)
 *   and the last stage's whole t: sum = c (last stage: t), W = B - 1. In the steady state a stage's W hides 2d of the
 *   round trip; the rest, x = max(0, 2d - w), lengthens the period by (S - 1) x / S and shortens the drain:
 *   sum = c - x, max = t + (S - 1) x / S. On uniform stages with B >= 2S and d <= min(f, 1.5 w) the step is
 *   B t + B (S - 1) x / S + (S - 1) c - S x, which the DP prices exactly when 2d <= w and x / S above it otherwise
 *   (without sends B t + (S - 1) max(F, B, F + B - W), the paper's (S-1)(F+B-W) when W <= F, B). Every
 *   stage holds min(S, B) micro-batches (F to W), 1F1B's first stage: it depends on the stage count S, which the DP
 *   does not know inside a pipeline (solvePriced below); S in the period is the most stages the problem allows.
 * - ZB-V (schedule/zeroBubbleV.ts, the paper's §6): 2S chunks of half a stage, in a V. Device S-1 starts after
 *   S - 1 half forwards and the rest of the fill is filled, so sum = f / 2 + 4d (first stage: t + 4d, each boundary
 *   is crossed twice each way), W = B - 1: on uniform stages B t + (S - 1) F / 2, the simulated step when F = B = W
 *   and B >= 2S; otherwise the greedy schedule leaves more, and the DP is an estimate (tests state how far). Every
 *   device holds S + 1 micro-batches (F to W). Offered for B >= 2S and stages of 2 units or more.
 * Exactness (inter/dpExactness.test.ts, against every slicing of small chains): the DP always finds the least of
 * these objectives; the objective equals the simulated step on uniform stages without sends (every schedule; ZB-H1
 * and interleaved from B >= S) and with the sends above (closed forms tested to 1e-9); it is an upper bound for
 * 1F1B and eager 1F1B without sends (up to 24% above on uneven stages), and an estimate otherwise: GPipe with
 * stages of unequal backward / forward ratios (two maxima, one priced), ZB-H1 and interleaved on uneven stages,
 * and 1F1B / interleaved with sends on uneven stages (windows of neighbours) price down to 0.72-0.84 of the
 * simulated step. Its pick simulated within 25% of the best slicing there; the simulated step of the assembled plan
 * decides among candidates.
 */
import type { ScheduleKind } from '../schedule/types.ts';
import { solveStageDp, type StageDpOptions, type StageDpProblem, type StageDpResult } from './stageConstruction.ts';

/** A plan's schedule: what the page and CLI pick, 'auto' letting the search choose. */
export type ScheduleChoice = ScheduleKind | 'auto';

/** A schedule with its chunks per device as the DP prices it; interleaved with v > 1 also fixes the stage count. */
export interface PipelineChoice {
  readonly schedule: ScheduleKind;
  readonly virtualStages: number;
  readonly stages?: number;
}

/** Per option of a stage problem (buildStageProblem), the costs each schedule's prices are made of. */
export interface OptionParts {
  readonly forward: Float64Array;
  /** Forward + backward of one micro-batch (forward alone for inference). */
  readonly total: Float64Array;
  /** The weight-gradient part of the backward (zero-bubble W); absent or NaN: half the backward. */
  readonly weight?: Float64Array;
  readonly send: Float64Array;
  /** The gradient sync on the step's critical path (first stage only, every stage under syncEveryStage), else 0. */
  readonly sync: Float64Array;
  readonly first: Uint8Array;
  readonly last: Uint8Array;
  /** Most in-flight micro-batches (in whole-stage activations) the device's memory holds. */
  readonly capacity: Float64Array;
  /** Most stages from this one to the end (layers left, the stage cap). */
  readonly cap: Int32Array;
  /** Units (blocks) in the stage's layers: interleaved chunks split at units, v needs v of them. */
  readonly units: Int32Array;
}

/** Chunks per device the search tries for interleaved 1F1B (powers of two). */
export const VIRTUAL_STAGE_CHOICES = [2, 4, 8] as const;

/** Schedules (and chunk counts, stage counts) the DP solves for one micro-batch count. */
export function pipelineChoices(schedule: ScheduleChoice, microbatches: number, maxStages: number): PipelineChoice[] {
  const interleaved = (): PipelineChoice[] => VIRTUAL_STAGE_CHOICES.flatMap((v) => {
    const out: PipelineChoice[] = [];
    for (let S = 2; S <= maxStages; S++) if (microbatches % S === 0) out.push({ schedule: 'interleaved', virtualStages: v, stages: S });
    return out;
  });
  const zbV: PipelineChoice = { schedule: 'zb-v', virtualStages: 2 };
  if (schedule === 'auto') {
    // Eager 1F1B too: priced as 1F1B by the DP (more in flight), its sends hide behind the extra warm-up forwards in
    // the simulator, where it can win (MoE-10B on p3.16xlarge:2x8: 8.79 s against 1F1B's layouts at 8.81 s).
    return [{ schedule: '1f1b', virtualStages: 1 }, { schedule: 'eager-1f1b', virtualStages: 1 }, { schedule: 'zb-h1', virtualStages: 1 },
      ...(microbatches >= 4 ? [zbV] : []), ...interleaved()];
  }
  if (schedule === 'interleaved') return [{ schedule: 'interleaved', virtualStages: 1 }, ...interleaved()];
  if (schedule === 'zb-v') return [zbV];
  return [{ schedule, virtualStages: 1 }];
}

/** Micro-batches (in whole-stage activations) the stage with s stages from it to the end holds, S stages in all. */
export function inFlightOf(c: PipelineChoice, S: number, s: number, B: number): number {
  const v = c.virtualStages;
  switch (c.schedule) {
    case 'gpipe': return B;
    case 'zb-h1': return Math.min(S, B);
    case 'zb-v': return Math.min(S + 1, B);
    case 'eager-1f1b': return Math.min(B, 2 * s - 1);
    case 'inference': return 1;
    case '1f1b': return Math.min(s, B);
    case 'interleaved': return v === 1 ? Math.min(s, B) : Math.min(B * v, 2 * (s - 1) + (v - 1) * S + 1) / v;
  }
}

/** The DP's weight on the largest stage period. */
export function periodWeight(c: PipelineChoice, B: number): number {
  return c.schedule === 'interleaved' ? B - 1 / c.virtualStages : B - 1;
}

/** The choice's fill/drain cost and period of option o in a pipeline of at most S stages. */
export function optionPrice(c: PipelineChoice, x: OptionParts, o: number, S = 2): { sum: number; max: number } {
  const t = x.total[o];
  const d = x.send[o];
  const v = c.virtualStages;
  if (c.schedule === 'interleaved' && v > 1) {
    return { sum: t / v + 2 * v * d + x.sync[o] + (x.first[o] ? 2 * (v - 1) * d : 0), max: Math.max(t, v * d) };
  }
  if (c.schedule === 'zb-h1') {
    const f = x.forward[o];
    const given = x.weight?.[o];
    const w = given !== undefined && Number.isFinite(given) ? Math.min(given, t - f) : (t - f) / 2;
    const bi = t - f - w;
    if (x.last[o]) return { sum: t + x.sync[o], max: t };
    // The fill/drain chain passes each stage's forward or its input gradient, whichever is longer, or both less
    // the weight gradients that fill behind them, with the boundary's send 3, 2 or 4 times. The weight gradient
    // hides 2d of the steady state's round trip; what it cannot hide lengthens the period by (S - 1) / S of it.
    const chain = Math.max(f + 3 * d, bi + 2 * d, f + bi - w + 4 * d);
    const late = Math.max(0, 2 * d - w);
    return { sum: chain - late + x.sync[o], max: Math.max(t + ((S - 1) / S) * late, d) };
  }
  if (c.schedule === 'zb-v') {
    const half = x.forward[o] / 2;
    return { sum: half + 4 * d + x.sync[o] + (x.first[o] ? t - half : 0), max: Math.max(t, 2 * d) };
  }
  // GPipe runs two flow shops, forwards then backwards, each as slow as its slowest stage or link.
  const max = c.schedule === 'gpipe' ? Math.max(x.forward[o], d) + Math.max(t - x.forward[o], d) : Math.max(t, d);
  return { sum: t + 2 * d + x.sync[o], max };
}

/**
 * The stage problem priced for one choice: `base` is the problem as built (1F1B's prices, memory under
 * `baseSchedule`); choices that price and hold memory as the base does get it unchanged.
 */
export function pricedProblem(base: StageDpProblem, x: OptionParts, c: PipelineChoice, baseSchedule: ScheduleKind, B: number): StageDpProblem {
  const zb = c.schedule === 'zb-h1' || c.schedule === 'zb-v';
  const plain = c.virtualStages === 1 && !zb;
  // Only 1F1B's in-flight limit makes a micro-batch's round trip bound the period (module comment).
  const oneF1B = c.schedule === '1f1b' || (c.schedule === 'interleaved' && c.virtualStages === 1);
  const sameMemory = baseSchedule === c.schedule || (c.schedule === 'interleaved' && c.virtualStages === 1 && baseSchedule === '1f1b');
  if (plain && sameMemory && c.schedule !== 'gpipe' && (oneF1B || !base.roundTrip)) return base;
  const n = base.optSum.length;
  // The zero-bubble closed forms hold for B >= S (ZB-H1) and B >= 2S (ZB-V).
  const S = Math.min(c.stages ?? base.maxStages, c.schedule === 'zb-h1' ? B : c.schedule === 'zb-v' ? Math.floor(B / 2) : Infinity);
  const optSum = new Float64Array(n);
  const optMax = new Float64Array(n);
  const optMaxStages = new Int32Array(n);
  let ratio = 1;
  for (let o = 0; o < n; o++) {
    const p = optionPrice(c, x, o, S);
    optSum[o] = p.sum;
    optMax[o] = p.max;
    if (p.max > 0) ratio = Math.min(ratio, p.sum / p.max);
    if (x.units[o] < c.virtualStages) continue;
    // Zero-bubble stages hold what the total stage count says: s bounds the total here (solvePriced checks it),
    // so the layers left after the option do not cap it.
    const cap = zb ? S : Math.min(x.cap[o], S);
    let s = 0;
    while (s < cap && inFlightOf(c, zb ? s + 1 : S, s + 1, B) <= x.capacity[o] * (1 + 1e-12)) s++;
    optMaxStages[o] = s;
  }
  return {
    ...base, optSum, optMax, optMaxStages,
    maxStages: Math.max(1, Math.min(base.maxStages, S)),
    ...(c.stages ? { minStages: c.stages } : {}),
    maxWeight: periodWeight(c, B),
    sumOverMax: ratio,
    // The round-trip bound is 1F1B's (S micro-batches in flight, a round trip of Σ sum).
    roundTrip: base.roundTrip && oneF1B,
  };
}

/** The schedule of plans the search does not price per schedule (baselines, seeds): 'auto' runs them as 1F1B. */
export function plainSchedule(choice: ScheduleChoice): ScheduleKind {
  return choice === 'auto' ? '1f1b' : choice;
}

/**
 * Solves the stage DP for one choice. The zero-bubble schedules' memory depends on the total stage count, which
 * an option inside a pipeline does not see: its bound (optMaxStages, the most stages in all its memory allows)
 * is only checked against the stages from it to the end. So the solution is checked: if some stage's memory does
 * not allow the solution's stage count, the DP runs again once per stage count S with exactly S stages and
 * options bounded by S, which is exact. (Llama-3-70B on 16 x 8 H100 under zb-h1: the relaxed DPs alone cost about
 * what 1F1B's do; the re-runs double the search's CPU time.)
 */
export function solvePriced(base: StageDpProblem, x: OptionParts, c: PipelineChoice, baseSchedule: ScheduleKind, B: number,
  options: StageDpOptions = {}): StageDpResult {
  const p = pricedProblem(base, x, c, baseSchedule, B);
  const r = solveStageDp(p, options);
  if ((c.schedule !== 'zb-h1' && c.schedule !== 'zb-v') || r.kind !== 'ok') return r;
  const S = r.stages.length;
  if (r.stages.every((s) => p.optMaxStages[s.option] >= S)) return r;
  // The relaxed optimum bounds every exact one from below: nothing to gain past the best known plan.
  if (options.bestKnown !== undefined && r.objectiveSeconds >= options.bestKnown) {
    return { kind: 'pruned', lowerBoundSeconds: r.objectiveSeconds, dpRuns: r.dpRuns };
  }
  let best: StageDpResult = { kind: 'infeasible', dpRuns: r.dpRuns };
  let dpRuns = r.dpRuns;
  for (let n = 1; n <= p.maxStages; n++) {
    const bounded = Int32Array.from(p.optMaxStages, (m) => (m >= n ? n : 0));
    const known = Math.min(options.bestKnown ?? Infinity, best.kind === 'ok' ? best.objectiveSeconds : Infinity);
    const e = solveStageDp({ ...p, optMaxStages: bounded, minStages: n, maxStages: n }, { ...options, bestKnown: known });
    dpRuns += e.dpRuns;
    if (e.kind === 'ok' && (best.kind !== 'ok' || e.objectiveSeconds < best.objectiveSeconds)) best = e;
    else if (e.kind === 'pruned' && best.kind === 'infeasible') best = e;
  }
  return { ...best, dpRuns };
}
