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
  // The paper's MoE runs trained with Adafactor (fp16-adafactor: 8 B of state a parameter). Under mixed-precision Adam
  // (16 B) MoE-70B cannot fit 64 V100s however it is laid out: 70.4e9 x 16 B / 64 = 16.40 GiB of state per device,
  // experts' included, before any activation; the search says so instead of planning it.
  it('moe-70B-64gpu under Adam (fp16-mixed): no plan, state alone over the 16 GiB of a V100', async () => {
    const c = PAPER_CASES.find((x) => x.id === 'moe-70B-64gpu')!;
    expect(c.precision).toBe('fp16-adafactor');
    await expect(planCase({ ...c, precision: 'fp16-mixed' }, {}, manual)).rejects.toThrow(/optimizer state alone need 16\.40 GiB per device even spread over all 64 GPUs/);
  }, 60_000);

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
