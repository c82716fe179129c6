import { describe, expect, it } from 'vitest';
import { parseClusterSpec } from '../cluster/spec.ts';
import { defaultPlanOptions } from '../plan.ts';
import { zooModel } from '../zoo/index.ts';
import { planPoint, structureChanges, type SeriesResult } from './point.ts';

const searched = (stages: string[], microbatches: number, remat: boolean[], feasible = true): SeriesResult => ({
  kind: 'searched', label: 'Meshplan', ok: true, feasible, stepSeconds: 1, samplesPerSecond: 1, samplesPerSecondPerGpu: 1, tflopsPerGpu: 1,
  modelTflopsPerGpu: 1, gpus: 8, structure: { stages: stages.length, meshes: stages, microbatches, remat, layers: stages.map((_, i) => [i, i + 1] as const) },
});

describe('sweep points', () => {
  it('names each point where the structure changes, and how', () => {
    const changes = structureChanges([
      { value: 10, searched: searched(['1x2/1x2', '1x2/1x2', '1x4/1x4'], 64, [true, false, false]) },
      { value: 25, searched: searched(['1x2/1x2', '1x2/1x2', '1x4/1x4'], 64, [true, false, false]) },
      { value: 50, searched: { kind: 'searched', label: 'Meshplan', ok: false, reason: 'no feasible plan' } },
      { value: 100, searched: searched(['1x8/2x4', '1x8/2x4'], 32, [false, false]) },
      { value: 200, searched: searched(['1x8/2x4', '1x8/2x4'], 32, [false, false], false) },
    ]);
    expect(changes).toEqual([
      { index: 3, value: 100, previousValue: 25, aspects: ['stages', 'meshes', 'microbatches', 'remat'],
        text: '3 -> 2 stages; meshes 1x2/1x2 x2, 1x4/1x4 -> 1x8/2x4 x2; 64 -> 32 micro-batches; 1/3 stages remat -> 0/2 stages remat' },
      { index: 4, value: 200, previousValue: 100, aspects: ['feasibility'], text: 'no longer fits memory' },
    ]);
  });

  it('plans the four series of a point with the manual pass, infeasible ones kept with their reason', async () => {
    const g = zooModel('gpt-6.7B');
    const p = await planPoint(g, parseClusterSpec('p3.16xlarge:1x8'), defaultPlanOptions(g), { intra: 'manual' },
      { series: ['searched', 'megatron', 'intra-only', 'inter-only', 'dp'] });
    expect(p.gpus).toBe(8);
    expect(p.series.map((s) => s.kind)).toEqual(['searched', 'megatron', 'intra-only', 'inter-only', 'dp']);
    expect(p.plan?.kind).toBe('searched');
    const dp = p.series[4];
    // 6.7B parameters x 16 B of replicated state: 107 GB per V100 of 16 GiB.
    expect(dp.ok && dp.feasible).toBe(false);
    expect(dp.ok && dp.infeasibleReason).toMatch(/GiB over the 16\.00 GiB limit/);
    const s = p.series[0];
    if (!s.ok) throw new Error(s.reason);
    expect(s.feasible).toBe(true);
    expect(s.samplesPerSecondPerGpu).toBeCloseTo(s.samplesPerSecond / 8, 12);
    expect(s.tokensPerSecond).toBeCloseTo(s.samplesPerSecond * 1024, 6);
    // Every planned series carries its step's cost-model terms: the breakdown, plus what the schedule adds or hides.
    for (const r of p.series) {
      if (!r.ok) continue;
      const t = r.stepTerms!;
      expect(t.value).toBe(r.stepSeconds);
      expect(t.unit).toBe('s');
      expect(t.terms.slice(0, 5).map((x) => x.label)).toEqual(['compute', 'intra-stage communication', 'cross-stage sends', 'pipeline bubble', 'gradient sync']);
      expect(t.terms.reduce((a, x) => a + x.value, 0)).toBeCloseTo(r.stepSeconds, 9);
    }
    const b = p.plan!.breakdown;
    expect(s.stepTerms!.terms.slice(0, 5).map((x) => x.value)).toEqual([b.computeSeconds, b.intraStageCommunicationSeconds, b.crossStageSeconds, b.bubbleSeconds, b.gradientSyncSeconds]);
    expect(b.computeSeconds).toBeGreaterThan(0.5 * s.stepSeconds);
  });

  it('keeps a point where nothing fits, each series with its reason (GPT-39B on one p3.16xlarge)', async () => {
    const g = zooModel('gpt-39B');
    const p = await planPoint(g, parseClusterSpec('p3.16xlarge:1x8'), defaultPlanOptions(g), { intra: 'manual' });
    expect(p.plan).toBeUndefined();
    const [searched, ...baselines] = p.series;
    // 39B parameters x 16 B of state over 8 GPUs: 78 GB per device, far over 16 GiB.
    expect(searched).toMatchObject({ kind: 'searched', ok: false, reason: expect.stringMatching(/^no feasible plan for gpt-39B on p3\.16xlarge:1x8: .*GiB over the 16\.00 GiB limit\)$/) });
    // The least-bad Megatron grid point stays in, infeasible with its reason; the others have no plan at all.
    expect(baselines[0]).toMatchObject({ kind: 'megatron', ok: true, feasible: false, infeasibleReason: expect.stringMatching(/GiB over the 16\.00 GiB limit$/) });
    expect(baselines.slice(1)).toEqual([
      { kind: 'intra-only', label: 'intra-op only', ok: false, reason: 'intra-op only: no plan (whole-cluster sub-mesh)' },
      { kind: 'inter-only', label: 'inter-op only', ok: false, reason: 'inter-op only: no plan fits' },
    ]);
  });
});
