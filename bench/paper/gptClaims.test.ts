/**
 * The paper's GPT claims, checked on our predictions with the real intra-op pass (ILP): on all 7 GPT cases our
 * plan is at least as fast as the best Megatron-LM grid plan, and within 25% of the measured Alpa TFLOP/s per GPU
 * (paper definition); GPT-39B on 64 GPUs: intra-op only collapses, inter-op only stays close.
 */
import { describe, expect, it } from 'vitest';
import { createHighsSolver } from '../../workers/core/intra/index.ts';
import type { PlanDeps } from '../../workers/core/plan.ts';
import type { PlanOptions } from '../../workers/core/plan/types.ts';
import { PAPER_CASES, type PaperCase } from './cases.ts';
import { planCase as _planCase } from './planCase.ts';

const deps: PlanDeps = { solver: createHighsSolver() };

const planCase = (c: PaperCase, extra: Partial<PlanOptions> = {}, d: PlanDeps = deps) => _planCase(c, extra, d);

describe('paper claims: GPT', () => {
  for (const c of PAPER_CASES.filter((x) => x.family === 'gpt')) {
    it(`${c.id}: ours >= best Megatron grid plan, within 25% of Alpa's ${c.alpaTflops} TFLOP/s`, async () => {
      const ours = await planCase(c);
      const megatron = await planCase(c, { baseline: 'megatron' }, { intra: 'manual' });
      expect(ours.feasible).toBe(true);
      expect(megatron.feasible).toBe(true);
      expect(ours.stepSeconds).toBeLessThanOrEqual(megatron.stepSeconds * (1 + 1e-9));
      expect(Math.abs(ours.tflopsPerGpu - c.alpaTflops) / c.alpaTflops).toBeLessThan(0.25);
    }, 120_000);
  }

  it('GPT-39B on 64 GPUs: intra-op only collapses (paper 2.1 vs 57 TFLOP/s), inter-op only stays close (50.5)', async () => {
    const c = PAPER_CASES.find((x) => x.id === 'gpt-39B-64gpu')!;
    const ours = await planCase(c);
    const intra = await planCase(c, { baseline: 'intra-only' });
    const inter = await planCase(c, { baseline: 'inter-only' });
    // Our intra-only plan runs at 0.23 of ours (13.2 against 57.1 model TFLOP/s); 0.17 before Megatron's fused
    // kernels' residuals were priced (mem405: a norm keeps its input and statistics, bias-GeLU its input, the fused
    // softmax only its output), which let it run 2 micro-batches of 512 on 64 x 1 instead of 4 on 32 x 2 (468 -> 296 s).
    // The paper's collapse (0.037) is its cross-node communication, which our model prices milder.
    expect(intra.modelTflopsPerGpu).toBeLessThan(0.25 * ours.modelTflopsPerGpu);
    // Inter-op only at 0.697 of ours (40.6 against 58.3): ours gained from re-solving the count whose DP price
    // promised better (plan/alternatives.ts, mem405: 68.64 -> 67.26 s); the paper's 50.5 against 57 is 0.886.
    expect(inter.modelTflopsPerGpu).toBeGreaterThan(0.65 * ours.modelTflopsPerGpu);
    expect(ours.stepSeconds).toBeLessThanOrEqual(inter.stepSeconds);
  }, 120_000);
});
