import { describe, expect, it } from 'vitest';
import { CLUSTER_PRESETS } from '../cluster/presets.ts';
import type { ShardingPlan } from './types.ts';
import { createHighsSolver } from '../solver/highs.ts';
import { type IntraInput, runIntra } from './index.ts';
import { convPair, gptLayer, mlpBlock } from './testGraphs.ts';

const cluster = CLUSTER_PRESETS['p3.16xlarge'].cluster(1, 8);
const submesh = { nodeStart: 0, nodes: 1, gpuStart: 0, gpusPerNode: 8 };
const spec = (plan: ShardingPlan, name: string): string => {
  const t = plan.tensors.find((x) => x.name === name);
  if (!t) throw new Error(`no tensor ${name}`);
  return t.spec;
};
const strategy = (plan: ShardingPlan, name: string): string => plan.ops.find((o) => o.name === name)?.strategy ?? '';

describe('runIntra known answers', () => {
  const solver = createHighsSolver();
  const base = { cluster, submesh, mode: 'train', precision: 'fp16-mixed' } as const;

  it('MLP block, small batch and large hidden on (1, 8): Megatron column-then-row split, one forward all-reduce', async () => {
    const plan = await runIntra({ ...base, graph: mlpBlock({ batch: 1, seq: 1024, hidden: 8192 }), meshShape: [1, 8] }, solver);
    expect(plan.status).toBe('optimal');
    expect(spec(plan, 'mlp/h.0/mlp/fc1.w')).toBe('RS1');
    expect(spec(plan, 'mlp/h.0/mlp/fc2.w')).toBe('S1R');
    expect(spec(plan, 'mlp/h.0/mlp/gelu')).toBe('RRS1');
    expect(spec(plan, 'mlp/h.0/mlp/fc2')).toBe('RRR');
    expect(strategy(plan, 'mlp/h.0/mlp/fc1')).toBe('RRS1 = RRR × RS1');
    expect(strategy(plan, 'mlp/h.0/mlp/fc2')).toBe('RRR = RRS1 × S1R');
    const forward = plan.collectives.filter((c) => c.reason === 'forward' || c.reason === 'resharding');
    expect(forward.map((c) => [c.kind, c.axis, c.bytes])).toEqual([['all-reduce', 1, 1 * 1024 * 8192 * 2]]);
    // backward mirrors it: the all-reduce of dX of the column-split fc1 (Megatron's "f")
    expect(plan.collectives.filter((c) => c.reason === 'backward').map((c) => [c.kind, c.axis])).toEqual([['all-reduce', 1]]);
    expect(plan.objectiveSeconds).toBeCloseTo(plan.forwardSeconds + plan.backwardSeconds, 12);
  });

  it('MLP block, large batch and small hidden on (8, 1): data parallel with a gradient all-reduce', async () => {
    const plan = await runIntra({ ...base, graph: mlpBlock({ batch: 64, seq: 512, hidden: 512 }), meshShape: [8, 1] }, solver);
    expect(plan.status).toBe('optimal');
    expect(spec(plan, 'x')).toBe('S0RR');
    expect(spec(plan, 'mlp/h.0/mlp/fc1.w')).toBe('RR');
    expect(spec(plan, 'mlp/h.0/mlp/fc2.w')).toBe('RR');
    expect(spec(plan, 'mlp/h.0/mlp/gelu')).toBe('S0RR');
    expect(plan.collectives.filter((c) => c.reason === 'forward' || c.reason === 'backward')).toEqual([]);
    const sync = plan.collectives.filter((c) => c.reason === 'gradient-sync');
    expect(sync.map((c) => [c.kind, c.axis])).toEqual(Array(4).fill(['all-reduce', 0]));
    expect(sync.find((c) => c.op === plan.tensors.find((t) => t.name === 'mlp/h.0/mlp/fc1.w')?.tensor)?.bytes).toBe(512 * 2048 * 2);
    // priced once per step, apart from the per-micro-batch objective
    expect(plan.gradientSyncSeconds).toBeCloseTo(sync.reduce((s, c) => s + c.seconds, 0), 12);
  });

  it('GPT-3 15B layer on (2, 4): data parallel on one axis, Megatron tensor parallel on the other', async () => {
    const plan = await runIntra({ ...base, graph: gptLayer({ batch: 8, seq: 1024, hidden: 5120, heads: 40 }), meshShape: [2, 4] }, solver);
    expect(plan.status).toBe('optimal');
    const p = 'gpt/h.0';
    // weights split on one mesh axis only (column for QKV and fc1, row for fc2) ...
    const tp = spec(plan, `${p}/mlp/fc1.w`) === 'RS1' ? 1 : 0;
    const dp = 1 - tp;
    expect(spec(plan, `${p}/attn/qkv.w`)).toBe(`RS${tp}`);
    expect(spec(plan, `${p}/mlp/fc1.w`)).toBe(`RS${tp}`);
    expect(spec(plan, `${p}/mlp/fc2.w`)).toBe(`S${tp}R`);
    // ... heads split on the same axis, the batch on the other
    expect(spec(plan, `${p}/attn/scores`)).toBe(`S${dp}S${tp}RR`);
    expect(spec(plan, `${p}/mlp/gelu`)).toBe(`S${dp}RS${tp}`);
    // gradients of the tensor-parallel weights are all-reduced over the data-parallel axis
    const qkvW = plan.tensors.find((t) => t.name === `${p}/attn/qkv.w`)?.tensor;
    expect(plan.collectives.find((c) => c.op === qkvW && c.reason === 'gradient-sync')).toMatchObject({ kind: 'all-reduce', axis: dp, bytes: 5120 * 15360 * 2 / 4 });
    expect(plan.ilp.variables).toBeGreaterThan(0);
  });

  it('convolutions: batch split for a large batch on (8, 1), out- then in-channel split for one large image on (1, 8)', async () => {
    const dp = await runIntra({ ...base, graph: convPair(256, 64, 32), meshShape: [8, 1] }, solver);
    expect([strategy(dp, 'net/block.0/conv1'), strategy(dp, 'net/block.0/conv2')]).toEqual(['S0RRR = S0RRR × RRRR', 'S0RRR = S0RRR × RRRR']);
    expect(dp.collectives.map((c) => c.reason)).toEqual(['gradient-sync', 'gradient-sync']);
    const tp = await runIntra({ ...base, graph: convPair(1, 2048, 7), meshShape: [1, 8] }, solver);
    expect(strategy(tp, 'net/block.0/conv1')).toBe('RS1RR = RRRR × S1RRR');
    expect(strategy(tp, 'net/block.0/conv2')).toBe('RRRR = RS1RR × RS1RR');
    expect(tp.collectives.filter((c) => c.reason === 'forward').map((c) => [c.kind, c.axis])).toEqual([['all-reduce', 1]]);
  });

  it('inference prices no backward and no gradient sync: tokens split, weights replicated, no communication', async () => {
    const plan = await runIntra({ ...base, mode: 'infer', graph: mlpBlock({ batch: 1, seq: 1024, hidden: 8192 }), meshShape: [1, 8] }, solver);
    expect(plan.backwardSeconds).toBe(0);
    expect(plan.gradientSyncSeconds).toBe(0);
    expect(plan.memory.gradBytes).toBe(0);
    expect(plan.memory.optimizerBytes).toBe(0);
    expect(spec(plan, 'mlp/h.0/mlp/gelu')).toBe('RS1R');
    expect(spec(plan, 'mlp/h.0/mlp/fc1.w')).toBe('RR');
    expect(plan.collectives).toEqual([]);
  });
});

describe('runIntra memory budget', () => {
  const solver = createHighsSolver();
  const input: IntraInput = {
    cluster, submesh, mode: 'train', precision: 'fp16-mixed', meshShape: [8, 1],
    graph: mlpBlock({ batch: 8, seq: 512, hidden: 2048 }),
  };

  it('a budget no strategy meets answers infeasible with the smallest reachable memory', async () => {
    const free = await runIntra(input, solver);
    const plan = await runIntra({ ...input, memoryBudgetBytes: 1e6 }, solver);
    expect(plan.status).toBe('infeasible');
    expect(plan.minimumMemoryBytes).toBeGreaterThan(1e6);
    expect(plan.minimumMemoryBytes).toBeLessThan(free.memoryBytesPerDevice);
    // that minimum is reachable: a budget of exactly it is feasible
    const tight = await runIntra({ ...input, memoryBudgetBytes: plan.minimumMemoryBytes }, solver);
    expect(tight.status).toBe('optimal');
    expect(tight.memoryBytesPerDevice).toBeLessThanOrEqual((plan.minimumMemoryBytes as number) * (1 + 1e-9));
  });

  it('a binding budget makes the ILP shard weight updates or weights and stay under it', async () => {
    const free = await runIntra(input, solver);
    const least = (await runIntra({ ...input, memoryBudgetBytes: 1 }, solver)).minimumMemoryBytes as number;
    const budget = (least + free.memoryBytesPerDevice) / 2;
    const plan = await runIntra({ ...input, memoryBudgetBytes: budget }, solver);
    expect(plan.status).toBe('optimal');
    expect(plan.memoryBytesPerDevice).toBeLessThanOrEqual(budget);
    expect(plan.objectiveSeconds + plan.gradientSyncSeconds).toBeGreaterThanOrEqual(free.objectiveSeconds + free.gradientSyncSeconds - 1e-12);
    const sharded = plan.collectives.some((c) => c.reason === 'weight-update')
      || plan.tensors.some((t) => t.kind === 'parameter' && t.spec !== 'RR' && t.spec !== 'R');
    expect(sharded).toBe(true);
    // each weight-update collective belongs to a parameter the plan marks as weight-update sharded
    const marked = new Set(plan.tensors.filter((t) => t.weightUpdateSharded).map((t) => t.tensor));
    for (const c of plan.collectives.filter((x) => x.reason === 'weight-update')) expect(marked.has(c.op)).toBe(true);
    expect(free.tensors.some((t) => t.weightUpdateSharded)).toBe(false);
  });

  it('data parallel under a budget shards the weight update (ZeRO-like) rather than the weights', async () => {
    const dp: IntraInput = { ...input, graph: mlpBlock({ batch: 64, seq: 512, hidden: 512 }), microbatches: 4 };
    const free = await runIntra(dp, solver);
    expect(free.tensors.filter((t) => t.kind === 'parameter' && t.weightUpdateSharded)).toEqual([]);
    const plan = await runIntra({ ...dp, memoryBudgetBytes: free.memoryBytesPerDevice * 0.75 }, solver);
    expect(plan.status).toBe('optimal');
    expect(plan.memoryBytesPerDevice).toBeLessThanOrEqual(free.memoryBytesPerDevice * 0.75);
    const w1 = plan.tensors.find((t) => t.name === 'mlp/h.0/mlp/fc1.w');
    const w2 = plan.tensors.find((t) => t.name === 'mlp/h.0/mlp/fc2.w');
    expect([w1?.spec, w2?.spec]).toEqual(['RR', 'RR']);
    expect([w1?.weightUpdateSharded, w2?.weightUpdateSharded]).toEqual([true, true]);
    expect(plan.collectives.filter((c) => c.op === w1?.tensor).map((c) => [c.kind, c.axis, c.reason])).toEqual([
      ['reduce-scatter', 0, 'weight-update'], ['all-gather', 0, 'weight-update'],
    ]);
    expect(plan.memory.optimizerBytes).toBeLessThan(free.memory.optimizerBytes / 2);
  });

  it('a mesh that does not cover the sub-mesh is an error value, not a throw', async () => {
    const plan = await runIntra({ ...input, meshShape: [2, 2] }, solver);
    expect(plan.status).toBe('error');
    expect(plan.message).toContain('2x2');
    const broken = { ...input.graph, ops: [{ ...input.graph.ops[0], inputs: ['missing-tensor'] }] };
    const bad = await runIntra({ ...input, graph: broken }, solver);
    expect(bad.status).toBe('error');
    expect(bad.message).toContain("tensor 'missing-tensor'");
  });
});
