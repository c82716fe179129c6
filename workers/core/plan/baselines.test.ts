import { describe, expect, it } from 'vitest';
import { megatronGrid } from '../baselines/index.ts';
import { uniformCandidate, type ProfileMemo } from '../baselines/uniform.ts';
import { parseClusterSpec } from '../cluster/spec.ts';
import { MEGATRON } from '../inter/manualProfile.ts';
import { defaultPlanOptions, plan } from '../plan.ts';
import { zooModel } from '../zoo/index.ts';
import { runBaseline, stepLowerBound } from './baselines.ts';
import { createContext, manualProfileFn } from './context.ts';
import type { ScheduleKind } from './types.ts';

const SCHEDULES: readonly ScheduleKind[] = ['1f1b', 'gpipe', 'eager-1f1b', 'interleaved', 'zb-h1'];

describe('the Megatron grid as a seed', () => {
  for (const schedule of SCHEDULES) {
    it(`${schedule}: every grid point's simulated step is at least its lower bound; the pruned grid finds the same best`, async () => {
      const model = zooModel('gpt-2.6B', { batch: 64 });
      const cluster = parseClusterSpec('p3.16xlarge:2x8');
      const options = { ...defaultPlanOptions(model), schedule };
      const ctx = createContext(model, cluster, options);
      const memo: ProfileMemo = new Map();
      let checked = 0;
      for (const g of megatronGrid(16, 8)) {
        const r = await uniformCandidate(ctx, { ...g, strategy: MEGATRON }, memo);
        if (!r.ok) continue;
        const pinned = await plan(model, cluster, { ...options, baseline: 'megatron', ...g, microbatches: r.candidate.microbatches }, undefined, undefined, { intra: 'manual' });
        if (!pinned.ok) throw new Error(pinned.reason);
        expect(stepLowerBound(ctx, r.candidate)).toBeLessThanOrEqual(pinned.plan.stepSeconds * (1 + 1e-12));
        checked++;
      }
      expect(checked).toBeGreaterThanOrEqual(10);
      const profile = manualProfileFn(ctx, MEGATRON);
      const all = await runBaseline('megatron', ctx, profile, 0, undefined, undefined, memo);
      const pruned = await runBaseline('megatron', ctx, profile, 0, undefined, undefined, memo, true);
      if (!all.ok || !pruned.ok) throw new Error('expected Megatron plans');
      expect([pruned.plans[0].label, pruned.plans[0].stepSeconds]).toEqual([all.plans[0].label, all.plans[0].stepSeconds]);
      // The bound prunes 1F1B-family grids; interleaved and ZB-H1 count only each device's own work (weaker).
      if (schedule !== 'interleaved' && schedule !== 'zb-h1') expect(pruned.plans.length).toBeLessThan(all.plans.length);
      expect(pruned.trace.filter((t) => t.note?.startsWith('pruned')).length).toBe(all.plans.length - pruned.plans.length);
    }, 120_000);
  }
});
