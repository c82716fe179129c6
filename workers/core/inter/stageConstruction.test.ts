import { describe, expect, it } from 'vitest';
import { quantised, solveStageDp, type StageDpProblem } from './stageConstruction.ts';

/** Seeded xorshift32 in [0, 1). */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x / 2 ** 32;
  };
}

function randomProblem(seed: number): StageDpProblem {
  const r = rng(seed);
  const L = 1 + Math.floor(r() * 6);
  const hetero = r() < 0.3;
  const groupDevices = hetero ? [2, 2] : [[1, 2, 4][Math.floor(r() * 3)]];
  const meshes: { group: number; devices: number }[] = [];
  groupDevices.forEach((d, g) => { for (let k = 1; k <= d; k *= 2) meshes.push({ group: g, devices: k }); });
  const M = meshes.length;
  const optStart = new Int32Array(L * L * M + 1);
  const sum: number[] = [];
  const once: number[] = [];
  const max: number[] = [];
  const maxStages: number[] = [];
  const withOnce = r() < 0.5;
  for (let l = 0; l < L; l++) for (let i = 0; i < L; i++) for (let m = 0; m < M; m++) {
    const idx = (l * L + i) * M + m;
    optStart[idx] = sum.length;
    if (i >= l) {
      const n = 1 + Math.floor(r() * 3);
      for (let o = 0; o < n; o++) {
        const t = (i - l + 1) * (0.5 + r()) / meshes[m].devices;
        const extra = r() * 0.3;
        // The first stage's once-per-step part (its gradient sync): inside its sum, outside the round trip.
        const sync = withOnce && l === 0 ? Math.round(r() * 2 * 1000) / 1000 : 0;
        max.push(Math.round(t * 1000) / 1000);
        sum.push(Math.round((t + extra) * 1000) / 1000 + sync);
        once.push(sync);
        maxStages.push(r() < 0.15 ? 0 : 1 + Math.floor(r() * L));
      }
    }
    optStart[idx + 1] = sum.length;
  }
  const B = 1 + Math.floor(r() * 8);
  return {
    layers: L, meshes, groupDevices, maxStages: L,
    optStart, optSum: Float64Array.from(sum), optMax: Float64Array.from(max), optMaxStages: Int32Array.from(maxStages),
    ...(withOnce ? { optOnce: Float64Array.from(once) } : {}),
    sumWeight: 1, maxWeight: B - 1, roundTrip: r() < 0.5,
  };
}

/** Every slicing of the layers, every mesh and option per stage. */
function exhaustive(p: StageDpProblem): number {
  const L = p.layers;
  const M = p.meshes.length;
  let best = Infinity;
  const walk = (l: number, stages: { mesh: number; option: number }[]): void => {
    if (l === L) {
      const S = stages.length;
      const used = p.groupDevices.map(() => 0);
      let sum = 0;
      let mx = 0;
      for (let j = 0; j < S; j++) {
        const { mesh, option } = stages[j];
        if (p.optMaxStages[option] < S - j) return;
        used[p.meshes[mesh].group] += p.meshes[mesh].devices;
        sum += p.optSum[option];
        mx = Math.max(mx, p.optMax[option]);
      }
      if (used.some((u, g) => u !== p.groupDevices[g])) return;
      // The pipeline visits each GPU group once: its stages are consecutive.
      const runs = stages.map((st) => p.meshes[st.mesh].group).filter((g, j, a) => j === 0 || a[j - 1] !== g);
      if (new Set(runs).size !== runs.length) return;
      const round = sum - (p.optOnce?.[stages[0].option] ?? 0);
      best = Math.min(best, p.sumWeight * sum + p.maxWeight * (p.roundTrip && S > 1 ? Math.max(mx, round / S) : mx));
      return;
    }
    for (let i = l; i < L; i++) for (let m = 0; m < M; m++) {
      const idx = (l * L + i) * M + m;
      for (let o = p.optStart[idx]; o < p.optStart[idx + 1]; o++) {
        stages.push({ mesh: m, option: o });
        walk(i + 1, stages);
        stages.pop();
      }
    }
  };
  walk(0, []);
  return best;
}

describe('solveStageDp', () => {
  it('equals exhaustive search over all stage slicings on 300 seeded random cases (<= 6 layers, <= 4 devices)', () => {
    let feasible = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const p = randomProblem(seed);
      const want = exhaustive(p);
      const got = solveStageDp(p);
      if (want === Infinity) {
        expect(got.kind, `seed ${seed}`).toBe('infeasible');
        continue;
      }
      feasible++;
      expect(got.kind, `seed ${seed}`).toBe('ok');
      if (got.kind !== 'ok') continue;
      expect(got.objectiveSeconds, `seed ${seed}`).toBeCloseTo(want, 9);
      // The reported slicing really has that objective.
      const sum = got.stages.reduce((s, st) => s + p.optSum[st.option], 0);
      const mx = Math.max(...got.stages.map((st) => p.optMax[st.option]));
      const round = sum - (p.optOnce?.[got.stages[0].option] ?? 0);
      const period = p.roundTrip && got.stages.length > 1 ? Math.max(mx, round / got.stages.length) : mx;
      expect(sum + p.maxWeight * period, `seed ${seed}`).toBeCloseTo(want, 9);
      expect(got.stages[0].start).toBe(0);
      expect(got.stages[got.stages.length - 1].end).toBe(p.layers);
    }
    expect(feasible).toBeGreaterThan(150);
  });

  it("leaves the first stage's gradient sync out of the round trip: a costly sync no longer buys B - 1 times over", () => {
    // Two layers on two devices. Two one-device stages: each 1 s per micro-batch; the first's gradient sync 4 s (once
    // per step). One two-device stage: 1.8 s per micro-batch, no sync. 8 micro-batches, 1F1B round trip on.
    const L = 2;
    const meshes = [{ group: 0, devices: 1 }, { group: 0, devices: 2 }];
    const M = 2;
    const opts = [
      { idx: (0 * L + 0) * M + 0, sum: 1 + 4, max: 1, once: 4 },
      { idx: (0 * L + 1) * M + 1, sum: 1.8, max: 1.8, once: 0 },
      { idx: (1 * L + 1) * M + 0, sum: 1, max: 1, once: 0 },
    ];
    const optStart = new Int32Array(L * L * M + 1);
    let k = 0;
    for (let idx = 0; idx < L * L * M; idx++) {
      optStart[idx] = k;
      if (opts.some((o) => o.idx === idx)) k++;
      optStart[idx + 1] = k;
    }
    const p: StageDpProblem = { layers: L, meshes, groupDevices: [2], maxStages: 2, optStart,
      optSum: Float64Array.from(opts.map((o) => o.sum)), optMax: Float64Array.from(opts.map((o) => o.max)),
      optMaxStages: Int32Array.from([2, 2, 2]), optOnce: Float64Array.from(opts.map((o) => o.once)),
      sumWeight: 1, maxWeight: 7, roundTrip: true };
    // Pipeline: 6 + 7 x max(1, (6 - 4) / 2) = 13; one stage: 1.8 + 7 x 1.8 = 14.4. With the sync in the round trip
    // the pipeline would cost 6 + 7 x 3 = 27 and lose.
    const got = solveStageDp(p);
    expect(got.kind === 'ok' && got.stages.length).toBe(2);
    expect(got.kind === 'ok' && got.objectiveSeconds).toBeCloseTo(13, 9);
    const without = solveStageDp({ ...p, optOnce: undefined });
    expect(without.kind === 'ok' && without.stages.length).toBe(1);
    expect(without.kind === 'ok' && without.objectiveSeconds).toBeCloseTo(14.4, 9);
  });

  it('prunes with a known better objective and reports a lower bound', () => {
    let seed = 1;
    while (!(solveStageDp(randomProblem(seed)).kind === 'ok' && randomProblem(seed).maxWeight > 0)) seed++;
    const p = randomProblem(seed);
    const pruned = solveStageDp(p, { bestKnown: 1e-9 });
    expect(pruned.kind).toBe('pruned');
  });

  it('a two-layer, two-device case: splitting into two stages wins when B is large', () => {
    // Stage options: one layer on one device costs 1; both layers on two devices (data parallel) cost 1.2.
    const L = 2;
    const meshes = [{ group: 0, devices: 1 }, { group: 0, devices: 2 }];
    const M = 2;
    const opts: { idx: number; sum: number; max: number }[] = [
      { idx: (0 * L + 0) * M + 0, sum: 1, max: 1 },
      { idx: (1 * L + 1) * M + 0, sum: 1, max: 1 },
      { idx: (0 * L + 1) * M + 1, sum: 1.2, max: 1.2 },
    ].sort((a, b) => a.idx - b.idx);
    const optStart = new Int32Array(L * L * M + 1);
    let k = 0;
    for (let idx = 0; idx < L * L * M; idx++) {
      optStart[idx] = k;
      if (opts.some((o) => o.idx === idx)) k++;
      optStart[idx + 1] = k;
    }
    const base = { layers: L, meshes, groupDevices: [2], maxStages: 2, optStart,
      optSum: Float64Array.from(opts.map((o) => o.sum)), optMax: Float64Array.from(opts.map((o) => o.max)),
      optMaxStages: Int32Array.from([2, 2, 2]), sumWeight: 1 };
    const pipeline = solveStageDp({ ...base, maxWeight: 7 });
    expect(pipeline.kind === 'ok' && pipeline.stages.length).toBe(2);
    expect(pipeline.kind === 'ok' && pipeline.objectiveSeconds).toBeCloseTo(2 + 7 * 1, 9);
    const single = solveStageDp({ ...base, maxWeight: 0 });
    expect(single.kind === 'ok' && single.stages.length).toBe(1);
    expect(single.kind === 'ok' && single.objectiveSeconds).toBeCloseTo(1.2, 9);
  });

  it('counts devices in node blocks when every sub-mesh is one: same solutions as device by device', () => {
    let compared = 0;
    for (let seed = 1; seed <= 120; seed++) {
      const p = randomProblem(seed);
      // Every device count x 8 (whole 8-GPU nodes): the quantum is 8 and the DP has the original's states.
      const scaled: StageDpProblem = { ...p, meshes: p.meshes.map((m) => ({ ...m, devices: 8 * m.devices })), groupDevices: p.groupDevices.map((d) => 8 * d) };
      expect(quantised(scaled).groupDevices).toEqual(p.groupDevices);
      const a = solveStageDp(p);
      const b = solveStageDp(scaled);
      expect(b.kind, `seed ${seed}`).toBe(a.kind);
      if (a.kind !== 'ok' || b.kind !== 'ok') continue;
      compared++;
      expect(b.objectiveSeconds).toBeCloseTo(a.objectiveSeconds, 12);
      expect(b.stages).toEqual(a.stages);
    }
    expect(compared).toBeGreaterThan(50);
    // A quantum of 1 leaves the problem as it is.
    const p = randomProblem(7);
    expect(quantised({ ...p, meshes: [{ group: 0, devices: 1 }, ...p.meshes] })).toEqual({ ...p, meshes: [{ group: 0, devices: 1 }, ...p.meshes] });
  });
});
