/**
 * The paper's MoE and Wide-ResNet claims on our predictions: MoE at least as fast as DeepSpeed-style data +
 * expert parallelism, Wide-ResNet at least as fast as the pipeline + data parallel (inter-op only) baseline.
 * Uses the template strategies (no ILP) to stay fast; the search only gains options with the ILP.
 */
import { describe, expect, it } from 'vitest';
import { PAPER_CASES } from './cases.ts';
import { planCase } from './planCase.ts';

const manual = { intra: 'manual' as const };

describe('paper claims: MoE and Wide-ResNet', () => {
  for (const c of PAPER_CASES.filter((x) => x.family === 'moe')) {
    it(`${c.id}: ours >= data + expert parallel`, async () => {
      const ours = await planCase(c, {}, manual);
      const dp = await planCase(c, { baseline: 'dp' }, manual);
      expect(ours.feasible).toBe(true);
      expect(dp.label).toBe('data + expert parallel');
      if (dp.feasible) expect(ours.stepSeconds).toBeLessThanOrEqual(dp.stepSeconds * (1 + 1e-9));
    }, 60_000);
  }
  for (const c of PAPER_CASES.filter((x) => x.family === 'wresnet')) {
    it(`${c.id}: ours >= inter-op only (pipeline + data parallel)`, async () => {
      const ours = await planCase(c, {}, manual);
      expect(ours.feasible).toBe(true);
      let inter;
      try { inter = await planCase(c, { baseline: 'inter-only' }, manual); } catch { inter = undefined; }
      if (inter?.feasible) expect(ours.stepSeconds).toBeLessThanOrEqual(inter.stepSeconds * (1 + 1e-9));
    }, 60_000);
  }
});
