import { describe, expect, it } from 'vitest';
import { parseClusterSpec } from '../cluster/spec.ts';
import { defaultPlanOptions, plan } from '../plan.ts';
import type { Plan, PlanOptions } from '../plan/types.ts';
import { zooModel } from '../zoo/index.ts';
import { diffBoundaries, diffScenarios } from './diff.ts';
import type { ScenarioInput } from './types.ts';

const g = zooModel('gpt-1.3B');
const cluster = parseClusterSpec('p3.16xlarge:1x8');
const options = defaultPlanOptions(g);

async function megatron(dp: number, tp: number, pp: number): Promise<{ input: ScenarioInput; plan: Plan }> {
  const o: PlanOptions = { ...options, baseline: 'megatron', dp, tp, pp };
  const r = await plan(g, cluster, o, undefined, undefined, { intra: 'manual' });
  if (!r.ok) throw new Error(r.reason);
  return { input: { model: g.name, cluster, options: o }, plan: r.plan };
}

describe('diffScenarios', () => {
  it('finds the boundary a second pipeline stage adds (GPT-1.3B: 24 blocks split 12 | 12)', async () => {
    const d = diffScenarios(await megatron(2, 4, 1), await megatron(1, 4, 2));
    expect(d.inputs).toEqual([{ field: 'dp', base: '2', other: '1' }, { field: 'pp', base: '1', other: '2' }]);
    // Units: 'pre' (embedding) 0, blocks 1..24, 'post' 25; the second stage starts at block 13.
    expect(d.boundaries).toEqual({ stageCount: { base: 1, other: 2 }, base: [], other: [13], added: [13], removed: [], moved: [], comparable: true });
  });

  it('pairs the boundaries of plans with as many stages: which stage now starts elsewhere', () => {
    const stages = (...starts: number[]) => ({ stages: starts.map((s, k) => ({ layers: [s, starts[k + 1] ?? 16] })) }) as unknown as Plan;
    expect(diffBoundaries(stages(0, 4, 8, 12), stages(0, 4, 9, 13))).toEqual({
      stageCount: { base: 4, other: 4 }, base: [4, 8, 12], other: [4, 9, 13], added: [9, 13], removed: [8, 12],
      moved: [{ stage: 2, from: 8, to: 9 }, { stage: 3, from: 12, to: 13 }], comparable: true,
    });
    expect(diffBoundaries(stages(0, 8), stages(0, 4, 8, 12)).moved).toEqual([]);
  });

  it('names every operator whose sharding changes with the mesh, and the terms that grew', async () => {
    const dp8 = await megatron(8, 1, 1);
    const tp8 = await megatron(1, 8, 1);
    const d = diffScenarios(dp8, tp8);
    const ops = tp8.plan.stages[0].sharding!.ops.length;
    expect(ops).toBeGreaterThan(500);
    // Every op moves from an 8x1 to a 1x8 logical mesh.
    expect(d.shardingChanged!.compared).toBe(ops);
    expect(d.shardingChanged!.count).toBe(ops);
    expect(d.shardingChanged!.ops[0].base).toMatch(/ on 8x1$/);
    expect(d.shardingChanged!.ops[0].other).toMatch(/ on 1x8$/);
    // Tensor parallelism trades gradient all-reduce for per-layer collectives.
    const grew = d.grew!.map((t) => t.term);
    expect(grew).toContain('intra-stage communication');
    expect(grew).not.toContain('gradient sync');
    const sync = d.terms!.find((t) => t.term === 'gradient sync')!;
    expect(sync.other).toBeLessThan(sync.base);
    expect(sync.delta).toBeCloseTo(sync.other - sync.base, 12);
  });

  it('lists changed inputs by field, and stops there without plans', () => {
    const base: ScenarioInput = { model: 'gpt-1.3B', cluster, options };
    const other: ScenarioInput = {
      model: 'gpt-1.3B', pricePerGpuHour: 3.06,
      cluster: { ...parseClusterSpec('p3.16xlarge:2x8'), interNode: { ...cluster.interNode, bandwidthBytesPerSecond: 12.5e9 } },
      options: { ...options, globalBatch: 512, precision: 'bf16-mixed', runtime: 'xla' },
    };
    expect(diffScenarios({ input: base }, { input: other })).toEqual({
      inputs: [
        { field: 'nodes', base: '1', other: '2' },
        { field: 'inter-gbps', base: '21.25', other: '100' },
        { field: 'batch', base: '1024', other: '512' },
        { field: 'precision', base: 'fp16-mixed', other: 'bf16-mixed' },
        { field: 'runtime', base: 'megatron', other: 'xla' },
        { field: 'pricePerGpuHour', base: '-', other: '3.06' },
      ],
    });
  });
});
