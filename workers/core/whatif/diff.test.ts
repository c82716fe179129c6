import { describe, expect, it } from 'vitest';
import { parseClusterSpec } from '../cluster/spec.ts';
import { defaultPlanOptions, plan } from '../plan.ts';
import type { Plan, PlanOptions } from '../plan/types.ts';
import { zooModel } from '../zoo/index.ts';
import { diffBoundaries, diffScenarios, splitOf } from './diff.ts';
import type { ScenarioInput } from './types.ts';

const g = zooModel('gpt-1.3B');
const cluster = parseClusterSpec('p3.16xlarge:1x8');
const options = defaultPlanOptions(g);

async function megatron(dp: number, tp: number, pp: number, layers: PlanOptions['layers'] = 'auto'): Promise<{ input: ScenarioInput; plan: Plan }> {
  const o: PlanOptions = { ...options, baseline: 'megatron', dp, tp, pp, layers };
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

  it('matches operators by id across different layer clusterings: only the ops whose specs split differently count', async () => {
    // Data parallel on both sides with two layer clusterings: Megatron's 4 stages of 2x1 over its 26 blocks, and the
    // search's one 8x1 stage over 8 clustered layers (1F1B without recompute: with the page's defaults the search
    // takes the inter-op-only seed, whose clustering is Megatron's blocks again).
    const a = await megatron(2, 1, 4);
    const bOptions: PlanOptions = { ...options, layers: 8, schedule: '1f1b', remat: 'off' };
    const searched = await plan(g, cluster, bOptions, undefined, undefined, { intra: 'manual' });
    if (!searched.ok) throw new Error(searched.reason);
    const b = { input: { model: g.name, cluster, options: bOptions }, plan: searched.plan };
    expect(b.plan.stages.map((s) => s.logicalMesh)).toEqual([[8, 1]]);
    const layers = (p: Plan) => p.stages[p.stages.length - 1].layers[1];
    expect(layers(a.plan)).not.toBe(layers(b.plan));
    const same = diffScenarios(a, b);
    expect(same.boundaries!.comparable).toBe(false);
    const all = a.plan.stages.reduce((n, s) => n + s.sharding!.ops.length, 0);
    expect(all).toBe(559);
    // The same data-parallel split at another degree: no operator changed, every one on a mesh of another shape.
    expect(same.shardingChanged).toMatchObject({ count: 0, compared: all, meshOnly: all, ops: [] });
    // Three operators of b's stage (in a's third stage) made tensor parallel: exactly those three, by id.
    const stage = b.plan.stages[0];
    const changed = a.plan.stages[2].sharding!.ops.slice(0, 3).map((o) => o.op);
    const edited: Plan = { ...b.plan, stages: b.plan.stages.map((s) => (s !== stage ? s : { ...s, sharding: { ...s.sharding!,
      ops: s.sharding!.ops.map((o) => (changed.includes(o.op) ? { ...o, strategy: 'RS0 tensor', inputSpecs: o.inputSpecs.map(() => 'RS0'), outputSpecs: o.outputSpecs.map(() => 'RS0') } : o)) } })) };
    const d = diffScenarios(a, { ...b, plan: edited });
    expect(d.shardingChanged!.count).toBe(3);
    expect(d.shardingChanged!.compared).toBe(all);
    expect(d.shardingChanged!.meshOnly).toBe(all - 3);
    expect(d.shardingChanged!.ops.map((o) => o.op)).toEqual(changed);
    expect(d.shardingChanged!.ops[0].base).toMatch(/ on 2x1$/);
    expect(d.shardingChanged!.ops[0].other).toMatch(/^RS0 tensor \[RS0.* on 8x1$/);
  });

  it('reads a spec as the split of the stage devices, whatever the mesh shape', () => {
    expect(splitOf('S1RR', [1, 8])).toBe('SRR');
    expect(splitOf('S0RR', [8, 1])).toBe('SRR');
    expect(splitOf('S01RR', [2, 4])).toBe('SRR');
    expect(splitOf('S0RS1', [2, 4])).toBe('S0RS1');
    expect(splitOf('S0RR', [1, 4])).toBe('RRR');
    expect(splitOf('', [2, 4])).toBe('R');
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
