/**
 * Each pipeline schedule's own bubble and memory in the stage DP (issue 14), priced from the same per-stage costs
 * (forward f, forward + backward t, boundary send d, gradient sync) with Alpa's shape T = Σ sum_i + W · t_max:
 * - 1F1B, GPipe, eager 1F1B: sum = t + 2d (+ the first stage's gradient sync), W = B - 1 (alpa.md §3); on uniform
 *   stages without sends (B + S - 1) t, the simulated step. In flight: min(s, B); GPipe B; eager min(2s - 1, B).
 * - Interleaved 1F1B with v chunks per device (schedule/interleaved.ts): a chunk takes t / v and a micro-batch
 *   crosses every boundary v times (device S-1 -> 0 v - 1 times, at the first stage's send), so
 *   sum = t / v + 2 v d (first stage: + 2 (v - 1) d), max = max(t, v d), W = B - 1/v: on uniform stages
 *   B t + (S - 1) t / v, the simulated step. Device i holds (Megatron's warm-up + 1) chunks of 1/v of its
 *   activations: min(B v, 2 (S - i - 1) + (v - 1) S + 1) / v micro-batches, which depends on S itself, so the DP
 *   runs once per stage count S (a divisor of B: Megatron's requirement) with solutions of exactly S stages.
 * - ZB-H1 (schedule/zeroBubble.ts): backward split into B and W halves of b/2; the W passes fill the drain, so the
 *   fill/drain path passes each stage's F or B, whichever is longer, c = max(f, b/2), and the last stage's whole
 *   t: sum = c + 2d (last stage: t + 2d), W = B - 1: on uniform stages B t + (S - 1) c, the simulated step
 *   (= M(F+B+W) + (S-1)(F+B-W) when F >= B = W). Memory as the simulator holds it: a
 *   micro-batch lives from its forward to its W, and with the Ws deferred to the drain every stage holds all B.
 * Exactness (inter/dpExactness.test.ts, against every slicing of small chains): the DP always finds the least of
 * these objectives; the objective equals the simulated step on uniform stages without sends (every schedule; ZB-H1
 * and interleaved from B >= S); it is an upper bound for 1F1B and eager 1F1B without sends (up to 19% above on
 * uneven stages), and an estimate otherwise: GPipe with stages of unequal backward / forward ratios, ZB-H1 and
 * interleaved on uneven stages, and every schedule with sends (stages wait on transfers the separable price does
 * not see) price down to 0.74-0.84 of the simulated step. Its pick simulated within 25% of the best slicing there;
 * the simulated step of the assembled plan decides among candidates.
 */
import type { ScheduleKind } from '../schedule/types.ts';
import type { StageDpProblem } from './stageConstruction.ts';

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
  readonly send: Float64Array;
  /** The gradient sync on the step's critical path (first stage only), else 0. */
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
  if (schedule === 'auto') return [{ schedule: '1f1b', virtualStages: 1 }, { schedule: 'zb-h1', virtualStages: 1 }, ...interleaved()];
  if (schedule === 'interleaved') return [{ schedule: 'interleaved', virtualStages: 1 }, ...interleaved()];
  return [{ schedule, virtualStages: 1 }];
}

/** Micro-batches (in whole-stage activations) the stage with s stages from it to the end holds, S stages in all. */
export function inFlightOf(c: PipelineChoice, S: number, s: number, B: number): number {
  const v = c.virtualStages;
  switch (c.schedule) {
    case 'gpipe': case 'zb-h1': return B;
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

/** The choice's fill/drain cost and period of option o. */
export function optionPrice(c: PipelineChoice, x: OptionParts, o: number): { sum: number; max: number } {
  const t = x.total[o];
  const d = x.send[o];
  const v = c.virtualStages;
  if (c.schedule === 'interleaved' && v > 1) {
    return { sum: t / v + 2 * v * d + (x.first[o] ? x.sync[o] + 2 * (v - 1) * d : 0), max: Math.max(t, v * d) };
  }
  if (c.schedule === 'zb-h1') {
    // The fill/drain chain passes each stage's forward or its input-gradient half, whichever is longer.
    const chain = Math.max(x.forward[o], (t - x.forward[o]) / 2);
    return { sum: chain + 2 * d + x.sync[o] + (x.last[o] ? t - chain : 0), max: Math.max(t, d) };
  }
  return { sum: t + 2 * d + x.sync[o], max: Math.max(t, d) };
}

/**
 * The stage problem priced for one choice: `base` is the problem as built (1F1B's prices, memory under
 * `baseSchedule`); choices that price and hold memory as the base does get it unchanged.
 */
export function pricedProblem(base: StageDpProblem, x: OptionParts, c: PipelineChoice, baseSchedule: ScheduleKind, B: number): StageDpProblem {
  const plain = c.virtualStages === 1 && c.schedule !== 'zb-h1';
  const sameMemory = baseSchedule === c.schedule || (c.schedule === 'interleaved' && c.virtualStages === 1 && baseSchedule === '1f1b');
  if (plain && sameMemory) return base;
  const n = base.optSum.length;
  const S = c.stages ?? base.maxStages;
  const optSum = new Float64Array(n);
  const optMax = new Float64Array(n);
  const optMaxStages = new Int32Array(n);
  let ratio = 1;
  for (let o = 0; o < n; o++) {
    const p = optionPrice(c, x, o);
    optSum[o] = p.sum;
    optMax[o] = p.max;
    if (p.max > 0) ratio = Math.min(ratio, p.sum / p.max);
    if (x.units[o] < c.virtualStages) continue;
    const cap = Math.min(x.cap[o], S);
    let s = 0;
    while (s < cap && inFlightOf(c, S, s + 1, B) <= x.capacity[o] * (1 + 1e-12)) s++;
    optMaxStages[o] = s;
  }
  return {
    ...base, optSum, optMax, optMaxStages,
    maxStages: Math.min(base.maxStages, S),
    ...(c.stages ? { minStages: c.stages } : {}),
    maxWeight: periodWeight(c, B),
    sumOverMax: ratio,
    // The round-trip bound is 1F1B's (S micro-batches in flight, a round trip of Σ sum).
    roundTrip: base.roundTrip && plain,
  };
}

/** The schedule of plans the search does not price per schedule (baselines, seeds): 'auto' runs them as 1F1B. */
export function plainSchedule(choice: ScheduleChoice): ScheduleKind {
  return choice === 'auto' ? '1f1b' : choice;
}
