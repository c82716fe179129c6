import { describe, expect, it } from 'vitest';
import { parseClusterSpec } from '../cluster/spec.ts';
import { defaultPlanOptions, plan } from '../plan.ts';
import { zooModel } from '../zoo/index.ts';

describe('interleaved 1F1B in plans', () => {
  it('a 4-stage Megatron pipeline on one DGX-H100: the search picks chunks per device, shrinking the bubble', async () => {
    const model = zooModel('gpt-2.6B', { batch: 64 });
    const cluster = parseClusterSpec('dgx-h100:1x8');
    const base = { ...defaultPlanOptions(model), baseline: 'megatron' as const, dp: 1, tp: 2, pp: 4, microbatches: 8 };
    const one = await plan(model, cluster, { ...base, schedule: '1f1b' }, undefined, undefined, { intra: 'manual' });
    const il = await plan(model, cluster, { ...base, schedule: 'interleaved' }, undefined, undefined, { intra: 'manual' });
    if (!one.ok || !il.ok) throw new Error('expected plans');
    expect(one.plan.virtualStages).toBeUndefined();
    expect(il.plan.virtualStages).toBeGreaterThanOrEqual(2);
    expect(il.plan.schedule).toBe('interleaved');
    expect(il.plan.stepSeconds).toBeLessThan(one.plan.stepSeconds);
    expect(il.plan.breakdown.bubbleSeconds).toBeLessThan(one.plan.breakdown.bubbleSeconds);
    // Every forward and backward on a device is one of its v chunks.
    const chunks = new Set(il.plan.timeline.filter((e) => e.kind === 'forward').map((e) => e.chunk));
    expect(chunks.size).toBe(il.plan.virtualStages);
    expect(il.plan.feasible).toBe(true);
  }, 60_000);

  it('ZB-H1 on the same pipeline: weight gradients fill the bubble, faster than 1F1B', async () => {
    const model = zooModel('gpt-2.6B', { batch: 64 });
    const cluster = parseClusterSpec('dgx-h100:1x8');
    // Recomputing both: ZB-H1 holds every micro-batch until its deferred weight gradient (8 here, 1F1B at most 4),
    // which does not fit 80 GB without it.
    const base = { ...defaultPlanOptions(model), baseline: 'megatron' as const, dp: 1, tp: 2, pp: 4, microbatches: 8, remat: 'on' as const };
    const one = await plan(model, cluster, { ...base, schedule: '1f1b' }, undefined, undefined, { intra: 'manual' });
    const zb = await plan(model, cluster, { ...base, schedule: 'zb-h1' }, undefined, undefined, { intra: 'manual' });
    if (!one.ok || !zb.ok) throw new Error('expected plans');
    expect(zb.plan.schedule).toBe('zb-h1');
    expect(zb.plan.stepSeconds).toBeLessThan(one.plan.stepSeconds);
    expect(zb.plan.breakdown.bubbleSeconds).toBeLessThan(one.plan.breakdown.bubbleSeconds);
    expect(zb.plan.timeline.filter((e) => e.weightGradient)).toHaveLength(4 * 8);
    expect(zb.plan.feasible).toBe(true);
  }, 60_000);
});

describe('ZeRO stages on forced Megatron plans', () => {
  it('zero=1/2/3 shard optimizer state, then gradients, then parameters over the data-parallel axis (dp = 4)', async () => {
    const model = zooModel('gpt-350M', { batch: 64 });
    const cluster = parseClusterSpec('dgx-h100:1x8');
    const base = { ...defaultPlanOptions(model), baseline: 'megatron' as const, dp: 4, tp: 2, pp: 1, microbatches: 4, remat: 'off' as const };
    const mem = async (zero?: 1 | 2 | 3) => {
      const r = await plan(model, cluster, { ...base, ...(zero ? { zero } : {}) }, undefined, undefined, { intra: 'manual' });
      if (!r.ok) throw new Error(r.reason);
      return { label: r.plan.label, ...r.plan.stages[0].memory };
    };
    const [z0, z1, z2, z3] = [await mem(), await mem(1), await mem(2), await mem(3)];
    expect(z2.label).toBe('Megatron dp=4 tp=2 pp=1 zero=2');
    expect(z1.optimizerBytes).toBeCloseTo(z0.optimizerBytes / 4, 0);
    expect(z1.gradBytes).toBe(z0.gradBytes);
    expect(z2.gradBytes).toBeCloseTo(z0.gradBytes / 4, 0);
    expect(z2.paramBytes).toBe(z0.paramBytes);
    expect(z3.paramBytes).toBeCloseTo(z0.paramBytes / 4, 0);
    expect(z3.gradBytes).toBeCloseTo(z0.gradBytes / 4, 0);
  }, 60_000);

  it('rejects another stage by name', async () => {
    const model = zooModel('gpt-350M', { batch: 64 });
    const r = await plan(model, parseClusterSpec('dgx-h100:1x8'), { ...defaultPlanOptions(model), baseline: 'megatron', zero: 4 as 3 });
    expect(r).toEqual({ ok: false, reason: "zero must be one of 0|1|2|3|auto, got '4'" });
  });
});

describe('ZeRO stages chosen by the search', () => {
  // GPT-6.7B (bf16-mixed: 16 B of state per parameter, 107 GB) on 8 H100 held to 14 GiB each.
  const model = zooModel('gpt-6.7B', { batch: 64 });
  const cluster = parseClusterSpec('dgx-h100:1x8');
  const options = { ...defaultPlanOptions(model), memoryLimitBytes: 14 * 2 ** 30 };
  const GiB = 2 ** 30;

  it('picks ZeRO-3 for a data-parallel stage that fits at no lower level', async () => {
    const auto = await plan(model, cluster, options, undefined, undefined, { intra: 'manual' });
    if (!auto.ok) throw new Error(auto.reason);
    expect(auto.plan.label).toBe('Meshplan');
    expect(auto.plan.stages.map((s) => [s.logicalMesh, s.zero])).toEqual([[[4, 2], 3]]);
    const s = auto.plan.stages[0];
    // Parameters and gradients 6.66e9 x 2 B / (TP 2 x ZeRO 4) = 1.55 GiB each, master + moments 6.66e9 x 12 B / 8.
    expect(s.memory.paramBytes / GiB).toBeCloseTo(1.55, 2);
    expect(s.memory.gradBytes / GiB).toBeCloseTo(1.55, 2);
    expect(s.memory.optimizerBytes).toBeCloseTo(6 * s.memory.paramBytes, -6);
    expect(s.memoryBytesPerDevice).toBeLessThanOrEqual(14 * GiB);
    // The same layout at ZeRO-0, 1 and 2 does not fit the 14 GiB.
    for (const zero of [0, 1, 2] as const) {
      const m = await plan(model, cluster, { ...options, baseline: 'megatron', dp: 4, tp: 2, pp: 1, zero }, undefined, undefined, { intra: 'manual' });
      if (!m.ok) throw new Error(m.reason);
      expect(m.plan.feasible, `zero=${zero}`).toBe(false);
    }
    // Held to ZeRO-2 the search pipelines instead (5 stages, remat): 1.37 s against 1.12 s.
    const two = await plan(model, cluster, { ...options, zero: 2 }, undefined, undefined, { intra: 'manual' });
    if (!two.ok) throw new Error(two.reason);
    expect(two.plan.stages.length).toBeGreaterThan(1);
    expect(two.plan.stepSeconds).toBeGreaterThan(1.15 * auto.plan.stepSeconds);
  }, 120_000);

  it('--zero forces the level on every data-parallel stage of the search', async () => {
    const small = zooModel('gpt-2.6B', { batch: 64 });
    for (const zero of [1, 2, 3] as const) {
      const r = await plan(small, cluster, { ...defaultPlanOptions(small), zero }, undefined, undefined, { intra: 'manual' });
      if (!r.ok) throw new Error(r.reason);
      const levels = r.plan.stages.filter((s) => s.logicalMesh[0] > 1).map((s) => s.zero);
      expect(levels.length).toBeGreaterThan(0);
      expect(new Set(levels)).toEqual(new Set([zero]));
    }
  }, 120_000);
});
