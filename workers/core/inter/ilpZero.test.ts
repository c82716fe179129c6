import { describe, expect, it } from 'vitest';
import type { Link } from '../cluster/types.ts';
import type { GpuSpec } from '../cluster/types.ts';
import { precisionBytes } from '../cost/memory.ts';
import type { ShardingPlan } from '../intra/types.ts';
import { mlpBlock } from '../intra/testGraphs.ts';
import { ilpZeroGroups, profileFromSharding, specReplicatedAxes } from './ilpProfile.ts';
import type { Unit } from './units.ts';
import { addUnitZero, atZeroLevel, emptyZeroCosts, type ZeroPriced } from './zeroStages.ts';

// One MLP layer (hidden 1,024: fc1 [1024, 4096] + bias 4096, fc2 [4096, 1024] + bias 1024) as the ILP might shard it on
// a (2, 4) mesh: Megatron's column / row split over axis 1 (fc1.w RS1, fc1.b S1, fc2.w S1R), the last bias replicated
// everywhere (R). Each weight's replicas hold the same state: fc1 and fc2 over axis 0 (2 devices), fc2.b over both (8).
const graph = mlpBlock({ batch: 8, seq: 128, hidden: 1024 });
const tensors = new Map(graph.tensors.map((t) => [t.id, t]));
const unit: Unit = { index: 0, name: 'mlp', forwardOps: graph.ops.map((_, i) => i), backwardOps: [], forwardFlops: 0, hash: 'mlp' };
const specs: Record<string, string> = { 'fc1.w': 'RS1', 'fc1.b': 'S1', 'fc2.w': 'S1R', 'fc2.b': 'R' };
const specOf = (name: string) => Object.entries(specs).find(([k]) => name.endsWith(k))![1];
// fc1.w 1024 x 4096 / 4 = 1,048,576 + fc1.b 4096 / 4 = 1,024 + fc2.w 1,048,576 per device over axis 0; fc2.b 1,024 over both.
const overAxis0 = 2 * 1_048_576 + 1_024;
const overBoth = 1_024;
const elems = overAxis0 + overBoth; // 2,099,200 per device
const pb = precisionBytes('fp16-mixed');
// The ILP chose weight-update sharding for fc1.w, so its plan charges that weight's gradient / 2.
const plan = {
  status: 'optimal', objectiveSeconds: 0.01, forwardSeconds: 0.004, backwardSeconds: 0.006, gradientSyncSeconds: 5e-5, meshShape: [2, 4],
  ops: [], collectives: [], cost: { computeSeconds: 0.01, communicationSeconds: 0, reshardingSeconds: 0 },
  tensors: graph.tensors.filter((t) => t.kind === 'parameter').map((t) => ({ tensor: t.id, name: t.name, kind: t.kind, shape: t.shape, spec: specOf(t.name) })),
  memory: { paramBytes: 2 * elems, gradBytes: 2 * elems - 1_048_576, optimizerBytes: 12 * elems, activationBytes: 0, temporaryBytes: 0 },
  memoryBytesPerDevice: 0, ilp: { variables: 1, constraints: 1, solveSeconds: 0 },
} as ShardingPlan;
// Axis 0 between nodes at 100 GB/s, axis 1 inside one at 400 GB/s, no latency.
const links: [Link, Link] = [{ bandwidthBytesPerSecond: 100e9, latencySeconds: 0 }, { bandwidthBytesPerSecond: 400e9, latencySeconds: 0 }];
const gpu = { hbmBandwidthBytesPerSecond: 900e9, memoryEfficiency: 1 } as GpuSpec;

describe('ZeRO on an ILP-priced stage (one MLP layer on a (2, 4) mesh, hand-computed)', () => {
  it('groups the weights by the axes their spec leaves them replicated on', () => {
    expect(specReplicatedAxes('RS1', [2, 4])).toEqual([0]);
    expect(specReplicatedAxes('S01R', [2, 4])).toEqual([]);
    expect(specReplicatedAxes('R', [2, 4])).toEqual([0, 1]);
    expect(specReplicatedAxes('RS1', [1, 4])).toEqual([]);
    const { groups, unshardedGradBytes } = ilpZeroGroups(graph, unit, plan, tensors, pb.gradBytes);
    expect(groups).toEqual([{ elems: overAxis0, axes: [0] }, { elems: overBoth, axes: [0, 1] }]);
    expect(unshardedGradBytes).toBe(2 * elems);
  });

  it("the profile is ZeRO-1 state: the optimizer over each weight's replicas, gradients whole", () => {
    const p = profileFromSharding(graph, unit, plan, tensors, true, 'fp16-mixed');
    expect(p.zero).toEqual({ level: 1, elems, groups: [{ elems: overAxis0, axes: [0] }, { elems: overBoth, axes: [0, 1] }] });
    // The plan's weight-update sharding halved fc1.w's gradient; accumulated over micro-batches it is whole: 4,198,400 B.
    expect(p.gradBytes).toBe(4_198_400);
    // Optimizer (4 B master + 8 B Adam) over all 8 devices: 1024 x 4096 x 2 + 4096 + 1024 elements x 12 / 8.
    expect(p.optimizerBytes).toBe(((2 * 1024 * 4096 + 4096 + 1024) * 12) / 8);
    expect(profileFromSharding(graph, unit, plan, tensors, false, 'fp16-mixed').zero).toBeUndefined();
  });

  it('ZeRO-2/3 shard exactly those bytes, with their collectives over each group', () => {
    const p = profileFromSharding(graph, unit, plan, tensors, true, 'fp16-mixed');
    const z = emptyZeroCosts(1, [2, 4], 1);
    addUnitZero(z, 0, p, links, pb, gpu);
    // Sharded: 2,098,176 / 2 + 1,024 / 8 = 1,049,216 elements.
    expect(z.shardedElems[0]).toBe(1_049_216);
    // All-gather of 2 B parameters: axis 0 (n = 2) moves half of 4,196,352 B at 100 GB/s = 20.98176 us; the replicated
    // bias over both axes hierarchically (intra/resharding.ts): 2,048 / 4 B over axis 0 (256 B on the wire, 2.56 ns)
    // then 2,048 B over axis 1 (3/4 of it at 400 GB/s, 3.84 ns).
    expect(z.gatherSeconds[0]).toBeCloseTo(20.98176e-6 + 2.56e-9 + 3.84e-9, 15);
    // Reduce-scatter at 4 B an element (the template's width): 41.96352 us + 5.12 ns + 7.68 ns.
    expect(z.reduceScatterSeconds[0]).toBeCloseTo(41.96352e-6 + 5.12e-9 + 7.68e-9, 15);
    const core: ZeroPriced = {
      start: 0, end: 1, forwardSeconds: 0.004, backwardSeconds: 0.006, gradientSyncSeconds: 5e-5, communicationSeconds: 0,
      paramBytes: p.paramBytes, gradBytes: p.gradBytes, optimizerBytes: p.optimizerBytes, transientBytes: 0, zero: 1,
    };
    const two = atZeroLevel(z, core, 2, 4)!;
    expect(two.paramBytes).toBe(4_198_400);
    expect(two.gradBytes).toBeCloseTo(2_098_432, 6);
    expect(two.optimizerBytes).toBeCloseTo(p.optimizerBytes, 6);
    // Three of four micro-batches reduce-scatter in their backward; one unit, nothing to hide behind.
    expect(two.backwardSeconds).toBeCloseTo(0.006 + 0.75 * z.reduceScatterSeconds[0], 15);
    const three = atZeroLevel(z, core, 3, 4)!;
    expect(three.paramBytes).toBeCloseTo(2_098_432, 6);
    expect(three.gradBytes).toBeCloseTo(2_098_432, 6);
    expect(three.forwardSeconds).toBeCloseTo(0.004 + z.gatherSeconds[0], 15);
    expect(three.backwardSeconds).toBeCloseTo(0.006 + z.gatherSeconds[0] + 0.75 * z.reduceScatterSeconds[0], 15);
    // The step ends with the last reduce-scatter in place of the ILP's gradient synchronisation (50 us).
    expect(three.gradientSyncSeconds).toBeCloseTo(5e-5 + z.reduceScatterSeconds[0] - 5e-5, 15);
    // Transients: the unit's whole gradient (4,198,400 B) and two copies of its gathered parameters.
    expect(three.transientBytes).toBe(3 * 4_198_400);
  });
});
