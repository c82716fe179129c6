import { describe, expect, it } from 'vitest';
import type { Collective } from '../cost/collectives.ts';
import type { OpSharding, ShardingPlan } from '../intra/types.ts';
import { gptLayer } from '../intra/testGraphs.ts';
import { attentionCoreOps } from '../ir/attention.ts';
import { CLUSTER_PRESETS } from '../cluster/presets.ts';
import { createHighsSolver } from '../solver/highs.ts';
import { runIntra } from '../intra/index.ts';
import { zooModel } from '../zoo/index.ts';
import { runLayerConstruction } from './layerConstruction.ts';
import { profileFromSharding } from './ilpProfile.ts';
import { ilpContextParallelSplit, ilpSequenceParallelOrNone } from './ilpSeqParallel.ts';
import { contextParallelCollectives } from './seqParallel.ts';
import type { Unit } from './units.ts';

// One GPT block (batch 2, seq 16, hidden 64, 4 heads) as the ILP shards it Megatron-style on a (1, 2) mesh: qkv and
// fc1 split their output features over axis 1 (backward all-reduce of their input's gradient), proj and fc2 their
// contraction (forward all-reduce of their output), attention by heads; norms, bias adds after proj / fc2 and the
// residual adds replicated over axis 1. Every boundary tensor X = 2 x 16 x 64 x 2 B = 4,096 B.
const graph = gptLayer({ batch: 2, seq: 16, hidden: 64, heads: 4 });
const tensors = new Map(graph.tensors.map((t) => [t.id, t]));
const unit: Unit = { index: 0, name: 'block', forwardOps: graph.ops.map((_, i) => i), backwardOps: [], forwardFlops: 0, hash: 'b' };
const at = (name: string) => graph.ops.findIndex((o) => o.name === `gpt/h.0/${name}`);
const rep = (rank: number) => 'R'.repeat(rank);
const specs = new Map<string, string>();
function shard(i: number): OpSharding {
  const op = graph.ops[i];
  const rank = (id: string) => tensors.get(id)!.shape.length;
  const name = op.name.replace('gpt/h.0/', '');
  // Weights: column-parallel splits the output features, row-parallel the contraction; attention splits heads.
  const inputSpecs = op.inputs.map((id, j) => {
    if (tensors.get(id)!.kind === 'parameter') {
      if (name === 'attn/qkv' || name === 'mlp/fc1') return 'RS1';
      if (name === 'attn/proj' || name === 'mlp/fc2') return 'S1R';
      if (name === 'attn/qkv.bias' || name === 'mlp/fc1.bias') return 'S1';
      return rep(rank(id));
    }
    return specs.get(id) ?? rep(rank(id));
  });
  const split = ['attn/qkv', 'attn/qkv.bias', 'mlp/fc1', 'mlp/fc1.bias', 'mlp/gelu'].includes(name) ? 'RRS1'
    : ['attn/split_heads'].includes(name) ? 'RRS1R'
      : /attn\/(q|k|v|context\.t)$/.test(name) ? 'RRS1R'
        : /attn\/(q|k|v)\.t$|scores|softmax|context$/.test(name) ? 'RS1RR'
          : name === 'attn/merge_heads' ? 'RRS1' : rep(rank(op.outputs[0]));
  const outputSpecs = op.outputs.map(() => split);
  op.outputs.forEach((id) => specs.set(id, split));
  return { op: op.id, name: op.name, strategy: '', inputSpecs, outputSpecs, computeSeconds: 0, communicationSeconds: 0 };
}
const ops = graph.ops.map((_, i) => shard(i));
const X = 4096;
const ar = (name: string, reason: 'forward' | 'backward'): Collective => ({ kind: 'all-reduce', axis: 1, bytes: X, seconds: 1e-6, op: graph.ops[at(name)].id, reason });
const collectives = [ar('attn/qkv', 'backward'), ar('attn/proj', 'forward'), ar('mlp/fc1', 'backward'), ar('mlp/fc2', 'forward')];
const plan = {
  status: 'optimal', objectiveSeconds: 0, forwardSeconds: 0, backwardSeconds: 0, gradientSyncSeconds: 0, meshShape: [1, 2], ops, collectives,
  tensors: graph.tensors.map((t) => ({ tensor: t.id, name: t.name, kind: t.kind, shape: t.shape, spec: specs.get(t.id) ?? rep(t.shape.length) })),
  cost: { computeSeconds: 0, communicationSeconds: 0, reshardingSeconds: 0 },
  memory: { paramBytes: 0, gradBytes: 0, optimizerBytes: 0, activationBytes: 0, temporaryBytes: 0 }, memoryBytesPerDevice: 0,
  ilp: { variables: 1, constraints: 1, solveSeconds: 0 },
} as ShardingPlan;
const attention = attentionCoreOps(graph);

describe('sequence parallelism on an ILP answer (one GPT block, Megatron-shaped on (1, 2))', () => {
  it('splits the norms, bias adds and residual adds; turns the four all-reduces into the template SP collectives', () => {
    const sp = ilpSequenceParallelOrNone(graph, unit, plan, tensors, 'fp16-mixed', attention)!;
    expect([...sp.ops].map((i) => graph.ops[i].name.replace('gpt/h.0/', '')).sort())
      .toEqual(['attn/proj.bias', 'ln_1', 'ln_2', 'mlp/fc2.bias', 'residual_1', 'residual_2']);
    expect([...sp.replaced].sort()).toEqual([0, 1, 2, 3]);
    const count = (kind: string, phase: string) => sp.added.filter((c) => c.kind === kind && c.phase === phase && c.axis === 1 && c.bytes === X).length;
    // Forward: proj and fc2 reduce-scatter (2 RS), qkv and fc1 gather their input (2 AG). Backward: the gradients
    // into proj.bias / fc2.bias gathered (2 AG), qkv / fc1 input gradients reduce-scattered (2 RS), their inputs
    // gathered again for the weight gradients (2 AG): the template's 2 AG + 2 RS forward, 4 AG + 2 RS backward.
    expect([count('reduce-scatter', 'forward'), count('all-gather', 'forward')]).toEqual([2, 2]);
    expect([count('all-gather', 'backward'), count('reduce-scatter', 'backward')]).toEqual([4, 2]);
    expect(sp.added).toHaveLength(10);
  });

  it('the SP profile: those ops on twice the tiles, less activation memory, the same ring bytes forward', () => {
    const plain = profileFromSharding(graph, unit, plan, tensors, true, 'fp16-mixed');
    const sp = profileFromSharding(graph, unit, plan, tensors, true, 'fp16-mixed', undefined, { attentionOps: attention });
    const tilesOf = (p: typeof plain, name: string) => p.kernels.find((k) => k.op === at(name))!.tiles;
    expect([tilesOf(plain, 'ln_1'), tilesOf(sp, 'ln_1')]).toEqual([1, 2]);
    expect([tilesOf(plain, 'mlp/fc1'), tilesOf(sp, 'mlp/fc1')]).toEqual([2, 2]);
    expect(sp.activationBytes).toBeLessThan(plain.activationBytes);
    expect(plain.collectives.filter((c) => c.kind === 'all-reduce')).toHaveLength(4);
    expect(sp.collectives.filter((c) => c.kind === 'all-reduce')).toHaveLength(0);
    // Ring bytes in forward: 2 all-reduces of X = 2 x 2 (n-1)/n X; SP's 2 RS + 2 AG = 4 (n-1)/n X: equal.
    const wire = (p: typeof plain) => p.collectives.filter((c) => c.phase === 'forward').reduce((s, c) => s + (c.kind === 'all-reduce' ? 2 : 1) * c.bytes / 2, 0);
    expect(wire(sp)).toBe(wire(plain));
  });

  it('no SP where a consumer needs the region split over axis 1, or on a mesh without axis 1', () => {
    const fc1 = at('mlp/fc1');
    const wants = { ...plan, ops: plan.ops.map((o, i) => (i === fc1 ? { ...o, inputSpecs: ['RRS1', o.inputSpecs[1]] } : o)) } as ShardingPlan;
    expect(ilpSequenceParallelOrNone(graph, unit, wants, tensors, 'fp16-mixed', attention)).toBeUndefined();
    expect(ilpSequenceParallelOrNone(graph, unit, { ...plan, meshShape: [2, 1] }, tensors, 'fp16-mixed', attention)).toBeUndefined();
    const resharded = { ...plan, collectives: [...collectives, { kind: 'all-gather', axis: 1, bytes: X, seconds: 0, op: graph.ops[at('ln_2')].outputs[0], reason: 'resharding' }] } as ShardingPlan;
    expect(ilpSequenceParallelOrNone(graph, unit, resharded, tensors, 'fp16-mixed', attention)).toBeUndefined();
  });

  it("finds the region in the ILP's own answer: GPT-6.7B's first block, one sequence, on one 8-V100 node as (1, 8)", async () => {
    // The ILP solves this block Megatron-style (qkv / fc column-parallel, proj row-parallel, norms and residuals
    // replicated); at batch 8 on (2, 4) it shards the norms' hidden dim instead, and there is nothing to split.
    const g = zooModel('gpt-6.7B', { batch: 1 });
    const block = runLayerConstruction(g, { layers: 'auto' }).unitGraph.units.find((u) => g.ops[u.forwardOps[0]].name.startsWith('gpt/h.0/'))!;
    const answer = await runIntra({
      graph: g, opIds: [...block.forwardOps, ...block.backwardOps].map((i) => g.ops[i].id), cluster: CLUSTER_PRESETS['p3.16xlarge'].cluster(1, 8),
      submesh: { nodeStart: 0, nodes: 1, gpuStart: 0, gpusPerNode: 8 }, meshShape: [1, 8], mode: 'train', precision: 'fp16-mixed', gradientSync: true,
    }, createHighsSolver());
    const gt = new Map(g.tensors.map((t) => [t.id, t]));
    const sp = ilpSequenceParallelOrNone(g, block, answer, gt, 'fp16-mixed', attentionCoreOps(g))!;
    expect([...sp.ops].map((i) => g.ops[i].name.replace('gpt/h.0/', '')).sort())
      .toEqual(['attn/proj/bias_add', 'attn/residual', 'ln_1', 'ln_2', 'mlp/proj/bias_add', 'mlp/residual']);
    // Its four tensor-parallel all-reduces of X = 1 x 1,024 x 4,096 x 2 B = 8,388,608 B, replaced as in the template.
    expect(sp.replaced.size).toBe(4);
    expect(sp.added.every((c) => c.bytes === 8_388_608)).toBe(true);
    expect(sp.added).toHaveLength(10);
  }, 120_000);

  it("context parallelism only where the answer's axis 0 is pure data parallelism; then the template's ring exchange", () => {
    // The same block as pure data parallelism on (2, 1): every activation split over axis 0 along its batch dim.
    const dp = {
      ...plan, meshShape: [2, 1], collectives: [],
      tensors: plan.tensors.map((t) => ({ ...t, spec: tensors.get(t.tensor)!.batchDim === 0 ? `S0${rep(t.shape.length - 1)}` : rep(t.shape.length) })),
    } as ShardingPlan;
    // K is [2, 4, 16, 16] split over the 2 devices of axis 0: a device holds half of it.
    expect(ilpContextParallelSplit(graph, unit, dp, tensors)).toBe(2);
    const p = profileFromSharding(graph, unit, dp, tensors, true, 'fp16-mixed', undefined, undefined, { degree: 2, kind: 'ring' });
    // Exactly the template's CP on (2, 1) (split n0 x tp = 2): forward (cp - 1) (K + V) / 2 = 4,096 B, backward twice.
    const want = contextParallelCollectives(graph, unit, tensors, 2, 2, 'ring');
    expect(p.collectives).toEqual(want.collectives);
    expect(want.collectives.map((c) => c.bytes)).toEqual([4096, 8192]);
    expect(p.bufferBytes).toBe(want.bufferBytes);
    // Not where axis 0 splits anything but the batch (the Megatron-shaped answer has n0 = 1; hidden over axis 0).
    expect(ilpContextParallelSplit(graph, unit, plan, tensors)).toBeUndefined();
    const hidden = { ...dp, tensors: dp.tensors.map((t) => (t.shape.length === 3 ? { ...t, spec: 'S0RS0' } : t)) } as ShardingPlan;
    expect(ilpContextParallelSplit(graph, unit, hidden, tensors)).toBeUndefined();
    const mixed = { ...dp, tensors: dp.tensors.map((t) => (t.shape.length === 3 ? { ...t, spec: 'RRS0' } : t)) } as ShardingPlan;
    expect(ilpContextParallelSplit(graph, unit, mixed, tensors)).toBeUndefined();
  });
});
