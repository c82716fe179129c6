import { describe, expect, it } from 'vitest';
import { simulateSchedule } from '../schedule/pipelineSchedule.ts';
import type { ScheduleStageInput } from '../schedule/types.ts';
import { solveStageDp, type StageDpProblem } from './stageConstruction.ts';
import { inFlightOf, pipelineChoices, pricedProblem, solvePriced, type OptionParts, type PipelineChoice } from './schedulePricing.ts';

interface ChainStage extends ScheduleStageInput { readonly capacity?: number }

/** S layers on S single-device meshes, one option per layer (the DP must put one layer on each device): its
 * objective is the schedule's priced step of exactly these stages. */
export function chainProblem(stages: readonly ChainStage[], B: number, units = 8): { problem: StageDpProblem; parts: OptionParts } {
  const L = stages.length;
  const optStart = new Int32Array(L * L + 1);
  const rows: ChainStage[] = [];
  const at: number[] = [];
  for (let l = 0; l < L; l++) for (let i = 0; i < L; i++) {
    optStart[l * L + i] = rows.length;
    if (i === l) { rows.push(stages[l]); at.push(l); }
    optStart[l * L + i + 1] = rows.length;
  }
  const t = rows.map((s) => s.forwardSeconds + s.backwardSeconds);
  const sync = rows.map((s, o) => (at[o] === 0 ? s.gradientSyncSeconds : 0));
  const parts: OptionParts = {
    forward: Float64Array.from(rows.map((s) => s.forwardSeconds)), total: Float64Array.from(t),
    weight: Float64Array.from(rows.map((s) => s.weightGradientSeconds ?? Number.NaN)),
    send: Float64Array.from(rows.map((s) => s.sendSeconds)), sync: Float64Array.from(sync),
    first: Uint8Array.from(at.map((l) => (l === 0 ? 1 : 0))), last: Uint8Array.from(at.map((l) => (l === L - 1 ? 1 : 0))),
    capacity: Float64Array.from(rows.map((s) => s.capacity ?? Infinity)), cap: Int32Array.from(at.map((l) => L - l)),
    units: Int32Array.from(rows.map(() => units)),
  };
  const problem: StageDpProblem = {
    layers: L, meshes: [{ group: 0, devices: 1 }], groupDevices: [L], maxStages: L, optStart,
    optSum: Float64Array.from(rows.map((s, o) => t[o] + 2 * s.sendSeconds + sync[o])),
    optMax: Float64Array.from(rows.map((s, o) => Math.max(t[o], s.sendSeconds))),
    optMaxStages: Int32Array.from(rows.map((s, o) => Math.min(L - at[o], (s.capacity ?? Infinity) >= Math.min(L - at[o], B) ? L - at[o] : 0))),
    sumWeight: 1, maxWeight: B - 1, roundTrip: false,
  };
  return { problem, parts };
}

function dpStep(stages: readonly ChainStage[], B: number, c: PipelineChoice): number {
  const { problem, parts } = chainProblem(stages, B);
  const r = solveStageDp(pricedProblem(problem, parts, c, '1f1b', B));
  if (r.kind !== 'ok') throw new Error(`DP ${r.kind}`);
  expect(r.stages.length).toBe(stages.length);
  return r.objectiveSeconds;
}

function simStep(stages: readonly ChainStage[], B: number, c: PipelineChoice): number {
  return simulateSchedule({ schedule: c.schedule, microbatches: B, stages, virtualStages: c.virtualStages }).stepSeconds;
}

const uniform = (S: number, f: number, b: number, send = 0): ChainStage[] =>
  Array.from({ length: S }, (_, i) => ({ forwardSeconds: f, backwardSeconds: b, sendSeconds: i + 1 < S ? send : 0, gradientSyncSeconds: 0 }));

const ZBV: PipelineChoice = { schedule: 'zb-v', virtualStages: 2 };

const CHOICES: PipelineChoice[] = [
  { schedule: '1f1b', virtualStages: 1 }, { schedule: 'gpipe', virtualStages: 1 }, { schedule: 'zb-h1', virtualStages: 1 },
  { schedule: 'interleaved', virtualStages: 2 }, { schedule: 'interleaved', virtualStages: 4 },
];

describe('schedule-aware stage DP against the event simulator', () => {
  it('prices each schedule exactly on uniform stages', () => {
    for (const [S, B, f, b] of [[2, 4, 1, 2], [4, 8, 1, 2], [4, 16, 0.5, 1.5], [8, 16, 1, 2], [3, 12, 2, 3]]) {
      for (const c of CHOICES) {
        const choice = c.schedule === 'interleaved' ? { ...c, stages: S } : c;
        expect(dpStep(uniform(S, f, b), B, choice)).toBeCloseTo(simStep(uniform(S, f, b), B, choice), 9);
      }
    }
    // ZB-H1 with the stage's own weight-gradient part (from the graph's parameter gradients, cost/opCost.ts):
    // B t + (S - 1) max(F, B, F + B - W), e.g. F = 1, B = 1.2, W = 0.8: the chain is F + B - W = 1.4.
    for (const [S, B, f, bi, w] of [[4, 8, 1, 1.2, 0.8], [4, 16, 1, 0.6, 1.4], [8, 16, 1, 1.5, 0.5], [3, 9, 2, 1, 1.5]]) {
      const st = uniform(S, f, bi + w).map((x) => ({ ...x, weightGradientSeconds: w }));
      expect(dpStep(st, B, CHOICES[2])).toBeCloseTo(simStep(st, B, CHOICES[2]), 9);
      expect(dpStep(st, B, CHOICES[2])).toBeCloseTo(B * (f + bi + w) + (S - 1) * Math.max(f, bi, f + bi - w), 9);
    }
    // ZB-V's closed form holds for F = B = W (b = 2f, split in halves) and B >= 2S.
    for (const [S, B] of [[2, 4], [4, 8], [4, 16], [8, 16], [3, 12]]) {
      expect(dpStep(uniform(S, 1, 2), B, ZBV)).toBeCloseTo(simStep(uniform(S, 1, 2), B, ZBV), 9);
    }
    // The closed forms themselves: 1F1B (B + S - 1) t, interleaved v=4 B t + (S - 1) t / 4, ZB-H1 B t + (S - 1) f,
    // ZB-V B t + (S - 1) f / 2.
    expect(dpStep(uniform(4, 1, 2), 8, ZBV)).toBeCloseTo(25.5, 12);
    expect(dpStep(uniform(4, 1, 2), 8, CHOICES[0])).toBeCloseTo(33, 12);
    expect(dpStep(uniform(4, 1, 2), 8, { schedule: 'interleaved', virtualStages: 4, stages: 4 })).toBeCloseTo(26.25, 12);
    expect(dpStep(uniform(4, 1, 2), 8, CHOICES[2])).toBeCloseTo(27, 12);
  });

  it('stays within the stated tolerance on uneven stages and with sends', () => {
    // Alpa's Σ t + (B - 1) t_max over-prices uneven stages (the simulator overlaps what it adds up), and sends overlap
    // compute in the simulator: the DP is an estimate there, within 10% without sends and 20% with them (ZB-H1's
    // greedy order loses most to sends), and the simulated step decides among the DP's candidates.
    const uneven = [1, 1.5, 0.8, 1.2];
    const cases: [ChainStage[], number][] = [
      [uneven.map((f) => ({ forwardSeconds: f, backwardSeconds: 2 * f, sendSeconds: 0, gradientSyncSeconds: 0 })), 0.1],
      [uneven.map((f, i) => ({ forwardSeconds: f, backwardSeconds: 2 * f, sendSeconds: i < 3 ? 0.05 : 0, gradientSyncSeconds: i === 0 ? 0.5 : 0 })), 0.2],
      [uniform(4, 1, 2, 0.1), 0.2],
      [uniform(8, 1, 2, 0.1), 0.2],
    ];
    for (const [st, tolerance] of cases) for (const c of CHOICES) {
      const choice = c.schedule === 'interleaved' ? { ...c, stages: st.length } : c;
      for (const B of [8, 16, 32]) {
        const dp = dpStep(st, B, choice);
        const sim = simStep(st, B, choice);
        expect(Math.abs(dp / sim - 1), `${choice.schedule} v=${choice.virtualStages} B=${B}`).toBeLessThan(tolerance);
      }
    }
    // ZB-V (B >= 2S): its greedy order leaves more than the closed form off F = B = W, and the V crosses every
    // boundary four times per micro-batch: within 12% without sends, 25% with them.
    for (const [st, tolerance] of [[cases[0][0], 0.12], [cases[1][0], 0.25], [cases[2][0], 0.25], [cases[3][0], 0.25]] as const) {
      for (const B of [16, 32]) {
        const dp = dpStep(st, B, ZBV);
        const sim = simStep(st, B, ZBV);
        expect(Math.abs(dp / sim - 1), `zb-v S=${st.length} B=${B}`).toBeLessThan(tolerance);
      }
    }
  });
});

describe('schedule-aware memory in the stage DP', () => {
  it("holds what the simulator holds: interleaved's chunks per device, ZB-H1's deferred weight gradients", () => {
    const uneven = [1, 1.5, 0.8, 1.2].map((f) => ({ forwardSeconds: f, backwardSeconds: 2 * f, sendSeconds: 0.05, gradientSyncSeconds: 0 }));
    for (const st of [uniform(4, 1, 2), uniform(8, 1, 2), uneven]) {
      const S = st.length;
      for (const B of [S, 2 * S, 4 * S]) {
        for (const v of [2, 4]) {
          const sim = simulateSchedule({ schedule: 'interleaved', microbatches: B, stages: st, virtualStages: v });
          st.forEach((_, i) => expect(inFlightOf({ schedule: 'interleaved', virtualStages: v }, S, S - i, B)).toBeCloseTo(sim.peakInFlight[i], 12));
        }
        const one = simulateSchedule({ schedule: '1f1b', microbatches: B, stages: st });
        st.forEach((_, i) => expect(inFlightOf({ schedule: '1f1b', virtualStages: 1 }, S, S - i, B)).toBe(one.peakInFlight[i]));
      }
      // Zero-bubble: every stage holds min(S, B) (ZB-H1) or S + 1 (ZB-V, B >= 2S) micro-batches from F to W.
      for (const B of [S, 2 * S, 16]) {
        const zb = simulateSchedule({ schedule: 'zb-h1', microbatches: B, stages: st });
        st.forEach((_, i) => expect(inFlightOf({ schedule: 'zb-h1', virtualStages: 1 }, S, S - i, B)).toBe(zb.peakInFlight[i]));
      }
      for (const B of [2 * S, 4 * S]) {
        const v = simulateSchedule({ schedule: 'zb-v', microbatches: B, stages: st });
        st.forEach((_, i) => expect(inFlightOf(ZBV, S, S - i, B)).toBe(v.peakInFlight[i]));
      }
    }
    // Megatron's count by hand: S = 4, v = 2, device 0 holds (2*3 + 1*4 + 1) / 2 = 5.5 micro-batches of activations.
    expect(inFlightOf({ schedule: 'interleaved', virtualStages: 2 }, 4, 4, 8)).toBe(5.5);
  });

  it("refuses interleaved and zero-bubble schedules when their in-flight micro-batches do not fit, and takes them when they do", () => {
    const S = 4;
    const B = 8;
    const tight = uniform(S, 1, 2).map((s) => ({ ...s, capacity: 4 })); // 1F1B's first stage holds 4 micro-batches
    const roomy = uniform(S, 1, 2).map((s) => ({ ...s, capacity: 6 }));
    const solve = (st: ChainStage[], c: PipelineChoice) => {
      const { problem, parts } = chainProblem(st, B);
      return solvePriced(problem, parts, c, '1f1b', B);
    };
    const best = (st: ChainStage[]) => pipelineChoices('auto', B, S)
      .map((c) => ({ c, r: solve(st, c) }))
      .filter((x) => x.r.kind === 'ok')
      .sort((a, b) => (a.r.kind === 'ok' && b.r.kind === 'ok' ? a.r.objectiveSeconds - b.r.objectiveSeconds : 0))[0];
    // Device 0 needs 5.5 micro-batches with v = 2, 4.75 with v = 4, 4.375 with v = 8; ZB-V 5; ZB-H1 4 on every
    // stage, 1F1B's first stage: it fits, and its bubble (3 f) is the smallest that does.
    expect(solve(tight, { schedule: 'interleaved', virtualStages: 2, stages: S }).kind).toBe('infeasible');
    expect(solve(tight, ZBV).kind).toBe('infeasible');
    const zbH1 = best(tight);
    expect(zbH1.c).toEqual({ schedule: 'zb-h1', virtualStages: 1 });
    expect(zbH1.r.kind === 'ok' && zbH1.r.objectiveSeconds).toBeCloseTo(8 * 3 + 3 * 1, 12);
    // With 3 micro-batches of room ZB-H1 does not fit four stages either, and 1F1B's later stages do: 1F1B.
    const three = uniform(S, 1, 2).map((s, i) => ({ ...s, capacity: i === 0 ? 4 : 3 }));
    expect(solve(three, { schedule: 'zb-h1', virtualStages: 1 }).kind).toBe('infeasible');
    expect(best(three).c).toEqual({ schedule: '1f1b', virtualStages: 1 });
    // With 6 of room ZB-V fits (B t + (S - 1) f / 2 = 25.5), but interleaved v = 8 (24 + 9/8) is better.
    const v = solve(roomy, ZBV);
    expect(v.kind === 'ok' && v.objectiveSeconds).toBeCloseTo(8 * 3 + 3 * 0.5, 12);
    const r = best(roomy);
    expect(r.c).toEqual({ schedule: 'interleaved', virtualStages: 8, stages: S });
    expect(r.r.kind === 'ok' && r.r.objectiveSeconds).toBeCloseTo(8 * 3 + 3 * 3 / 8, 12);
    for (const v of [2, 4, 8]) expect(solve(tight, { schedule: 'interleaved', virtualStages: v, stages: S }).kind).toBe('infeasible');
    // A chunk needs a unit: stages of 2 units take at most v = 2.
    const { problem, parts } = chainProblem(roomy, B, 2);
    expect(solveStageDp(pricedProblem(problem, parts, { schedule: 'interleaved', virtualStages: 4, stages: S }, '1f1b', B)).kind).toBe('infeasible');
  });
});
