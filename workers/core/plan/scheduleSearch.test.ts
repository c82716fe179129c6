import { describe, expect, it } from 'vitest';
import { parseClusterSpec } from '../cluster/spec.ts';
import { buildMeshSpace } from '../inter/meshSpace.ts';
import { profileUnits } from '../inter/profileUnits.ts';
import { searchStages, type Candidate } from '../inter/search.ts';
import { zooModel } from '../zoo/index.ts';
import { defaultPlanOptions } from '../plan.ts';
import { assemblePlan } from './assemble.ts';
import { costContext, createContext, manualProfileFn } from './context.ts';
import type { ScheduleKind } from '../schedule/types.ts';

// GPT-2.6B on two p3.16xlarge nodes (25 Gbit/s between them): the DP pipelines it over 4 stages.
const cluster = parseClusterSpec('p3.16xlarge:2x8');

async function setup(memoryLimitBytes?: number, globalBatch = 64) {
  const model = zooModel('gpt-2.6B', { batch: globalBatch });
  const ctx = createContext(model, cluster, { ...defaultPlanOptions(model), microbatches: 16, ...(memoryLimitBytes ? { memoryLimitBytes } : {}) });
  const space = buildMeshSpace(cluster);
  const memo = await profileUnits(ctx.clustering.unitGraph.units, space, manualProfileFn(ctx, { tensorParallel: true, expertParallel: false, zeroStage: 1 }));
  const cost = costContext(ctx, space, memo);
  const search = (schedule: 'auto' | '1f1b' | 'interleaved' | 'zb-h1' | 'zb-v') => searchStages({
    cost, globalBatch, microbatchCounts: [16], schedule, remat: ctx.remat, memoryLimitBytes: ctx.memoryLimitBytes, objective: 'step', tMaxRelativeGap: 1e-3,
  });
  const assemble = (c: Candidate, schedule: ScheduleKind = '1f1b') => assemblePlan({
    kind: 'searched', label: 'test', graph: model, cluster, space, clustering: ctx.clustering, mode: 'train', globalBatch,
    schedule, candidate: c, memoryLimitBytes: ctx.memoryLimitBytes, searchSeconds: 0,
  });
  return { search, assemble };
}

describe('the search prices each schedule (inter/schedulePricing.ts)', () => {
  it("picks interleaved 1F1B with v > 1 because the DP sees its smaller bubble, and the simulator agrees", async () => {
    const { search, assemble } = await setup();
    const one = (await search('1f1b')).candidates[0];
    const auto = await search('interleaved');
    const best = auto.candidates[0];
    expect(one.stages.length).toBeGreaterThan(1);
    expect(best.schedule).toBe('interleaved');
    expect(best.virtualStages).toBeGreaterThan(1);
    expect(best.objectiveSeconds).toBeLessThan(one.objectiveSeconds);
    const a = assemble(best);
    const b = assemble(one);
    expect(a.schedule).toBe('interleaved');
    expect(a.virtualStages).toBe(best.virtualStages);
    expect(a.stepSeconds).toBeLessThan(b.stepSeconds);
    expect(a.breakdown.bubbleSeconds).toBeLessThan(b.breakdown.bubbleSeconds);
    // The DP's step against the simulated one (sends between nodes: an estimate, schedulePricing.test.ts).
    expect(Math.abs(best.objectiveSeconds / a.stepSeconds - 1)).toBeLessThan(0.2);
    expect(auto.trace.some((t) => /interleaved v=\d/.test(t.label))).toBe(true);
  }, 120_000);

  it("refuses interleaved layouts whose extra in-flight chunks do not fit: every candidate fits when simulated", async () => {
    const { search, assemble } = await setup();
    const loose = (await search('interleaved')).candidates[0];
    // Between the layout's needs under 1F1B and under interleaved (S in flight on device 0 against (1 + 1/v) S - 1/v).
    const need = (c: Candidate) => Math.max(...assemble(c).stages.map((s) => s.requiredBytesPerDevice ?? s.memoryBytesPerDevice));
    const limit = (need({ ...loose, schedule: '1f1b', virtualStages: 1 }) + need(loose)) / 2;
    const tight = await setup(limit);
    const res = await tight.search('interleaved');
    expect(res.candidates.length).toBeGreaterThan(0);
    // The unconstrained choice (interleaved, v > 1) does not fit this limit in the simulator; the DP did not offer it.
    expect(loose.virtualStages).toBeGreaterThan(1);
    expect(tight.assemble(loose).feasible).toBe(false);
    const sameLayout = (c: Candidate) => c.stages.map((s) => `${s.core.start}-${s.core.end}@${s.core.meshId}${s.core.remat}`).join() === loose.stages.map((s) => `${s.core.start}-${s.core.end}@${s.core.meshId}${s.core.remat}`).join();
    expect(res.candidates.some((c) => sameLayout(c) && c.virtualStages === loose.virtualStages)).toBe(false);
    for (const c of res.candidates.slice(0, 8)) {
      const p = tight.assemble(c);
      expect(p.feasible, `${c.schedule} v=${c.virtualStages} ${p.infeasibleReason ?? ''}`).toBe(true);
    }
  }, 120_000);

  it('under auto picks ZB-V at batch 128: the DP prices its smaller bubble and the simulator agrees against 1F1B, ZB-H1 and interleaved', async () => {
    // (At batch 64, since Megatron's fused kernels' residuals are priced (mem405), interleaved v = 2 on 4 stages
    // simulates 0.8% faster than ZB-V, 1.363 against 1.374 s, while the DP prices it 7% above its simulation.)
    const { search, assemble } = await setup(undefined, 128);
    const auto = await search('auto');
    const best = auto.candidates[0];
    expect(best.schedule).toBe('zb-v');
    const plans = Object.fromEntries(await Promise.all((['1f1b', 'zb-h1', 'zb-v', 'interleaved'] as const).map(async (k) => {
      const c = (await search(k)).candidates[0];
      return [k, { c, p: assemble(c, k) }] as const;
    })));
    const v = plans['zb-v'];
    expect(v.p.schedule).toBe('zb-v');
    for (const k of ['1f1b', 'zb-h1', 'interleaved'] as const) {
      expect(v.c.objectiveSeconds, k).toBeLessThan(plans[k].c.objectiveSeconds);
      expect(v.p.stepSeconds, k).toBeLessThan(plans[k].p.stepSeconds);
    }
    // ZB-H1 beats 1F1B on its own DP and in the simulator; ZB-V's timeline has both chunks' W passes on every device.
    expect(plans['zb-h1'].p.stepSeconds).toBeLessThan(plans['1f1b'].p.stepSeconds);
    for (let d = 0; d < v.p.stages.length; d++) for (const chunk of [0, 1]) {
      expect(v.p.timeline.some((e) => e.stage === d && e.chunk === chunk && e.weightGradient)).toBe(true);
    }
    expect(Math.abs(v.c.objectiveSeconds / v.p.stepSeconds - 1)).toBeLessThan(0.25);
    // W is the stage's parameter gradients (cost/opCost.ts): less than the input gradient, which also carries the
    // attention cores' backward and the tensor-parallel all-reduces.
    const len = (w: boolean) => v.p.timeline.filter((e) => e.stage === 0 && e.kind === 'backward' && !!e.weightGradient === w).map((e) => e.endSeconds - e.startSeconds);
    const ratio = len(true)[0] / len(false)[0];
    expect(ratio).toBeGreaterThan(0.4);
    expect(ratio).toBeLessThan(0.95);
    expect(auto.trace.some((t) => t.label.endsWith('zb-v'))).toBe(true);
    const fmt = (k: keyof typeof plans) => `${k} ${plans[k].p.stages.length} stages: DP ${plans[k].c.objectiveSeconds.toFixed(4)} s, simulated ${plans[k].p.stepSeconds.toFixed(4)} s, bubble ${plans[k].p.breakdown.bubbleSeconds.toFixed(4)} s`;
    console.log(['1f1b', 'zb-h1', 'zb-v', 'interleaved'].map((k) => fmt(k as keyof typeof plans)).join('\n'));
  }, 180_000);
});
