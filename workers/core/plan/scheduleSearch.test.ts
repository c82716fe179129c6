import { describe, expect, it } from 'vitest';
import { parseClusterSpec } from '../cluster/spec.ts';
import { buildMeshSpace } from '../inter/meshSpace.ts';
import { profileUnits } from '../inter/profileUnits.ts';
import { searchStages, type Candidate } from '../inter/search.ts';
import { zooModel } from '../zoo/index.ts';
import { defaultPlanOptions } from '../plan.ts';
import { assemblePlan } from './assemble.ts';
import { costContext, createContext, manualProfileFn } from './context.ts';

// GPT-2.6B on two p3.16xlarge nodes (25 Gbit/s between them): the DP pipelines it over 4 stages.
const model = zooModel('gpt-2.6B', { batch: 64 });
const cluster = parseClusterSpec('p3.16xlarge:2x8');

async function setup(memoryLimitBytes?: number) {
  const ctx = createContext(model, cluster, { ...defaultPlanOptions(model), microbatches: 16, ...(memoryLimitBytes ? { memoryLimitBytes } : {}) });
  const space = buildMeshSpace(cluster);
  const memo = await profileUnits(ctx.clustering.unitGraph.units, space, manualProfileFn(ctx, { tensorParallel: true, expertParallel: false, zeroStage: 1 }));
  const cost = costContext(ctx, space, memo);
  const search = (schedule: 'auto' | '1f1b' | 'interleaved') => searchStages({
    cost, globalBatch: 64, microbatchCounts: [16], schedule, remat: ctx.remat, memoryLimitBytes: ctx.memoryLimitBytes, objective: 'step', tMaxRelativeGap: 1e-3,
  });
  const assemble = (c: Candidate) => assemblePlan({
    kind: 'searched', label: 'test', graph: model, cluster, space, clustering: ctx.clustering, mode: 'train', globalBatch: 64,
    schedule: '1f1b', candidate: c, memoryLimitBytes: ctx.memoryLimitBytes, searchSeconds: 0,
  });
  return { search, assemble };
}

describe('the search prices each schedule (inter/schedulePricing.ts)', () => {
  it("picks interleaved 1F1B with v > 1 because the DP sees its smaller bubble, and the simulator agrees", async () => {
    const { search, assemble } = await setup();
    const one = (await search('1f1b')).candidates[0];
    const auto = await search('auto');
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
    const loose = (await search('auto')).candidates[0];
    // Between the layout's needs under 1F1B and under interleaved (S in flight on device 0 against (1 + 1/v) S - 1/v).
    const need = (c: Candidate) => Math.max(...assemble(c).stages.map((s) => s.requiredBytesPerDevice ?? s.memoryBytesPerDevice));
    const limit = (need({ ...loose, schedule: '1f1b', virtualStages: 1 }) + need(loose)) / 2;
    const tight = await setup(limit);
    const res = await tight.search('auto');
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
});
