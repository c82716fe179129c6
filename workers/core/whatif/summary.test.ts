import { describe, expect, it } from 'vitest';
import { parseClusterSpec } from '../cluster/spec.ts';
import { createHighsSolver } from '../intra/index.ts';
import { defaultPlanOptions, plan } from '../plan.ts';
import { zooModel } from '../zoo/index.ts';
import { planStructure, summarizePlan } from './summary.ts';

describe('summarizePlan', () => {
  it('gives GPT-1.3B on one p3.16xlarge its figures, each the sum or ratio of its terms', async () => {
    const g = zooModel('gpt-1.3B');
    const options = defaultPlanOptions(g);
    const r = await plan(g, parseClusterSpec('p3.16xlarge:1x8'), options, undefined, undefined, { solver: createHighsSolver() });
    if (!r.ok) throw new Error(r.reason);
    const p = r.plan;
    const s = summarizePlan(p, options, 3.06);
    expect(s.gpus).toBe(8);
    expect(s.stageCount).toBe(p.stages.length);
    expect(s.stepSeconds.value).toBe(p.stepSeconds);
    // The step's terms (breakdown + imbalance/overlap remainder) add up to the simulated step.
    expect(s.stepSeconds.terms.reduce((a, t) => a + t.value, 0)).toBeCloseTo(p.stepSeconds, 9);
    expect(s.stepSeconds.terms.map((t) => t.label).slice(0, 5)).toEqual(['compute', 'intra-stage communication', 'cross-stage sends', 'pipeline bubble', 'gradient sync']);
    expect(s.samplesPerSecond.value).toBeCloseTo(1024 / p.stepSeconds, 9);
    expect(s.tokensPerSecond!.value).toBeCloseTo((1024 * 1024) / p.stepSeconds, 6);
    expect(s.modelTflopsPerGpu.value).toBeCloseTo(p.modelTflopsPerGpu * 1e12, 0);
    const [flops, step, gpus] = s.modelTflopsPerGpu.terms.map((t) => t.value);
    expect(flops / step / gpus).toBeCloseTo(p.modelTflopsPerGpu * 1e12, 0);
    // GPT-1.3B, batch 1024 x 1024 tokens: 72 B s h^2 L (1 + s/6h) + 6 B s h V = 8.893e15 model FLOPs per step.
    expect(flops / 1e15).toBeCloseTo(8.893, 2);
    expect(s.tflopsPerGpu.value).toBeGreaterThanOrEqual(s.modelTflopsPerGpu.value);
    // Headroom: the stage with the least free memory; its terms add up to the free bytes.
    const free = p.stages.map((st) => st.memoryLimitBytes - (st.requiredBytesPerDevice ?? st.memoryBytesPerDevice));
    expect(s.headroom.bytes.value).toBe(Math.min(...free));
    expect(s.headroom.bytes.terms.reduce((a, t) => a + t.value, 0)).toBeCloseTo(s.headroom.bytes.value, 0);
    expect(s.headroom.fraction).toBeCloseTo(s.headroom.bytes.value / (16 * 2 ** 30), 9);
    // $3.06 per V100-hour (p3.16xlarge on-demand / 8): cost per step and per million tokens.
    expect(s.costPerStep!.value).toBeCloseTo((3.06 * 8 * p.stepSeconds) / 3600, 12);
    expect(s.costPerMillionTokens!.value).toBeCloseTo((s.costPerStep!.value / (1024 * 1024)) * 1e6, 12);
    expect(summarizePlan(p, options).costPerStep).toBeUndefined();
    expect(planStructure(p).meshes).toEqual(p.stages.map((st) => `${st.submeshShape[0]}x${st.submeshShape[1]}/${st.logicalMesh[0]}x${st.logicalMesh[1]}`));
  });
});
