/**
 * The searched plan is never slower than any baseline under the same cost model (issue 14): on all 21 paper cases,
 * every feasible baseline (best Megatron grid point, data parallel, ZeRO-3, intra-op only, inter-op only) takes at
 * least the searched plan's simulated step; so on four H100 cases: two small ones, one on the Llama 3 fabric, and the
 * issue's Llama-3-405B on 16,384 and Llama-3-70B on 1,024 H100s. Template strategies (no ILP) keep it fast; the
 * bound comes from the seeds (plan/seeds.ts), which do not depend on the intra-op pass.
 */
import { describe, expect, it } from 'vitest';
import { BASELINE_KINDS } from '../../workers/core/baselines/index.ts';
import { createHighsSolver } from '../../workers/core/intra/index.ts';
import type { PlanDeps } from '../../workers/core/plan.ts';
import { PAPER_CASES, type PaperCase } from './cases.ts';
import { planCase } from './planCase.ts';
import { parseClusterSpec } from '../../workers/core/cluster/spec.ts';
import { defaultPlanOptions, plan } from '../../workers/core/plan.ts';
import { zooModel } from '../../workers/core/zoo/index.ts';

const manual: PlanDeps = { intra: 'manual' };

/** Asserts the bound; returns the feasible baselines' labels by step time. */
async function checkBound(c: PaperCase, deps: PlanDeps): Promise<{ ours: number; zero: (number | undefined)[]; baselines: Map<string, number> }> {
  const ours = await planCase(c, {}, deps);
  expect(ours.feasible).toBe(true);
  expect(ours.kind).toBe('searched');
  const baselines = new Map<string, number>();
  for (const kind of BASELINE_KINDS) {
    let base;
    try { base = await planCase(c, { baseline: kind }, manual); } catch { continue; }
    if (!base.feasible) continue;
    baselines.set(base.label, base.stepSeconds);
    expect(ours.stepSeconds, `${c.id}: ${base.label}`).toBeLessThanOrEqual(base.stepSeconds * (1 + 1e-9));
  }
  return { ours: ours.stepSeconds, zero: ours.stages.map((st) => st.zero), baselines };
}

describe('searched <= every baseline on the paper cases', () => {
  for (const c of PAPER_CASES) {
    it(c.id, async () => {
      const { baselines } = await checkBound(c, manual);
      // Some baseline fits every case (MoE-70B: Megatron's grid, ZeRO-3 and intra-op only; inter-op only does not fit):
      // the bound is never vacuous.
      expect(baselines.size).toBeGreaterThanOrEqual(1);
    }, 60_000);
  }

  // The three losses were measured with the intra-op ILP in the search: GPT-2.6B lost 1.1% to inter-op
  // only (finer layers), Wide-ResNet 500M / 1B 0.7% / 0.1% to ZeRO-3. The seeds made the searched plan equal the
  // best; with ZeRO stages chosen per stage by the DP (inter/zeroStages.ts) it beats them: 37.67 s vs 40.44 s,
  // 35.62 vs 36.08, 35.86 vs 36.51 (sharded state lets larger micro-batches or fewer recomputations fit the V100s).
  const ilp: PlanDeps = { solver: createHighsSolver() };
  for (const [id, winner] of [['gpt-2.6B-8gpu', 'inter-op only'], ['wresnet-500M-2gpu', 'ZeRO-3'], ['wresnet-1B-4gpu', 'ZeRO-3']] as const) {
    it(`${id} with the ILP: faster than its best baseline (${winner}) by a ZeRO stage of its own`, async () => {
      const { ours, zero, baselines } = await checkBound(PAPER_CASES.find((x) => x.id === id)!, ilp);
      const best = Math.min(...baselines.values());
      expect(ours).toBeLessThan(best * (1 - 0.005));
      expect(zero.some((z) => z !== undefined && z >= 2), `ZeRO levels ${zero.join(',')}`).toBe(true);
      expect([...baselines].find(([, s]) => s === best)![0]).toContain(winner);
    }, 120_000);
  }

  // H100 cases (bf16, DGX H100 nodes): the Llama 3 shapes at a size CI plans in seconds, and the scale cases
  // (Llama-3-405B on the Llama 3 fabric's 2,048 x 8 and Llama-3-70B on 128 x 8 DGX H100, 2,048 sequences of 8,192
  // tokens: the zoo's defaults). Same bound, template strategies.
  const cases = [
    ['llama-3-8B', 'dgx-h100:2x8', 64], ['gpt-6.7B', 'llama3-h100-roce:4x8', 256],
    ['llama-3-405B', 'llama3-h100-roce:2048x8', undefined], ['llama-3-70B', 'dgx-h100:128x8', undefined],
  ] as const;
  for (const [name, spec, batch] of cases) {
    it(`${name} on ${spec}`, async () => {
      const model = zooModel(name, batch ? { batch } : {});
      const cluster = parseClusterSpec(spec);
      const options = { ...defaultPlanOptions(model), precision: 'bf16-mixed' as const };
      const ours = await plan(model, cluster, options, undefined, undefined, manual);
      if (!ours.ok) throw new Error(ours.reason);
      expect(ours.plan.feasible).toBe(true);
      let compared = 0;
      for (const kind of BASELINE_KINDS) {
        const base = await plan(model, cluster, { ...options, baseline: kind }, undefined, undefined, manual);
        if (!base.ok || !base.plan.feasible) continue;
        compared++;
        expect(ours.plan.stepSeconds, `${name}: ${base.plan.label}`).toBeLessThanOrEqual(base.plan.stepSeconds * (1 + 1e-9));
      }
      expect(compared).toBeGreaterThanOrEqual(1);
    }, 600_000);
  }
});
