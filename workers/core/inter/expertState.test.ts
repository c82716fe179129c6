import { describe, expect, it } from 'vitest';
import type { GpuSpec, Link } from '../cluster/types.ts';
import { collectiveSeconds } from '../cost/collectives.ts';
import { bytesPerParameter, precisionBytes } from '../cost/memory.ts';
import { zooModel } from '../zoo/index.ts';
import { runLayerConstruction } from './layerConstruction.ts';
import { manualProfile } from './manualProfile.ts';
import { addUnitZero, atZeroLevel, emptyZeroCosts, type ZeroPriced } from './zeroStages.ts';

// Per-device state of one GShard MoE layer of moe-380M (issue 14: expert optimizer state was divided by all of
// axis 0 although the experts are already split over it). The layer's parameters: the experts' kernels wi
// [8, 768, 6144] and wo [8, 6144, 768] and biases [8, 6144] and [8, 768], X = 75,552,768 elements, split over the
// EP group; the rest R = 2,371,584 elements replicated over axis 0 (attention 768 x 2304 + 2304, 768 x 768 + 768,
// two layer norms 4 x 768, gate 768 x 8). fp16-mixed: 2 B parameter, 2 B gradient, 12 B master + Adam moments.
const graph = zooModel('moe-380M', { batch: 8 });
const tensors = new Map(graph.tensors.map((t) => [t.id, t]));
const unit = runLayerConstruction(graph, { layers: 'auto' }).unitGraph.units
  .find((u) => u.forwardOps.some((i) => graph.ops[i].path === 'moe/layers.0/moe/experts/wi'))!;
const link: Link = { bandwidthBytesPerSecond: 100e9, latencySeconds: 0 };
const X = 2 * 8 * 768 * 6144 + 8 * 6144 + 8 * 768;
const R = 4 * 768 + 768 * 2304 + 2304 + 768 * 768 + 768 + 768 * 8;

function profile(n0: number, ep: number, zeroStage: 0 | 1 | 3, precision: 'fp16-mixed' | 'fp16-adafactor' = 'fp16-mixed') {
  return manualProfile(graph, unit, [n0, 1], precision, { tensorParallel: false, expertParallel: true, expertDegree: ep, zeroStage },
    [link, link], tensors, true);
}

describe('expert state per device: divided by the devices holding distinct shards (hand-computed)', () => {
  it('the layer: X = 75,552,768 expert elements (biases with their kernels), R = 2,371,584 replicated', () => {
    expect([X, R]).toEqual([75_552_768, 2_371_584]);
    expect(profile(4, 4, 1).zero).toEqual({ level: 1, elems: R, expertElems: X / 4, expertReplicas: 1 });
    expect(profile(8, 4, 1).zero).toEqual({ level: 1, elems: R, expertElems: X / 4, expertReplicas: 2 });
  });

  it('EP 4 on axis 0 of 4, without ZeRO: experts / 4, everything else whole', () => {
    const p = profile(4, 4, 0);
    // (R + X/4) x 2 B = 21,259,776 x 2 = 42,519,552 B parameters and as much gradient; x 12 B = 255,117,312 optimizer.
    expect([p.paramBytes, p.gradBytes, p.optimizerBytes]).toEqual([42_519_552, 42_519_552, 255_117_312]);
  });

  it('EP 4 on 4 with ZeRO-1: the replicated state / 4, the experts\' not at all (no replica holds the same shard)', () => {
    const p = profile(4, 4, 1);
    // (R/4 + X/4) x 12 = (592,896 + 18,888,192) x 12 = 233,773,056 B. Dividing every element by 4 — the defect —
    // gave (R + X/4) / 4 x 12 = 63,779,328 B, a quarter of the experts' true state.
    expect(p.optimizerBytes).toBe(233_773_056);
    expect(p.optimizerBytes).not.toBe(((R + X / 4) / 4) * 12);
  });

  it('EP 4 on axis 0 of 8: each expert shard on 2 replicas; ZeRO-1 shards its state over those 2, ZeRO-3 also its parameters', () => {
    const z1 = profile(8, 4, 1);
    // (R/8 + X/4/2) x 12 = (296,448 + 9,444,096) x 12 = 116,886,528 B; parameters (R + X/4) x 2 = 42,519,552 B.
    expect([z1.paramBytes, z1.optimizerBytes]).toEqual([42_519_552, 116_886_528]);
    // Expert gradients all-reduced over the 2 replicas at 4 B an element: 2 x 1/2 x 18,888,192 x 4 / 100e9 = 0.756 ms,
    // beside the replicated ones over 8: 2 x 7/8 x 2,371,584 x 4 / 100e9 = 0.166 ms.
    expect(z1.gradientSyncSeconds).toBeCloseTo(collectiveSeconds('all-reduce', (X / 4) * 4, 2, link) + collectiveSeconds('all-reduce', R * 4, 8, link), 12);
    expect(z1.gradientSyncSeconds).toBeCloseTo(0.00075552768 + 0.00016601088, 12);
    const z3 = profile(8, 4, 3);
    // ZeRO-3: (R/8 + X/8) x 2 = 19,481,088 B of parameters; the experts gathered from their 2 replicas (X/4 x 2 B
    // = 37,776,384 B), the rest from all 8 (R x 2 B = 4,743,168 B), before the forward and again before the backward.
    expect([z3.paramBytes, z3.gradBytes, z3.optimizerBytes]).toEqual([19_481_088, 19_481_088, 116_886_528]);
    expect(z3.collectives.filter((c) => c.kind === 'all-gather').map((c) => [c.phase, c.bytes, c.group])).toEqual([
      ['forward', 4_743_168, undefined], ['backward', 4_743_168, undefined], ['forward', 37_776_384, 2], ['backward', 37_776_384, 2]]);
  });

  it('EP 8 on 8: one shard per device, nothing left to shard; ZeRO-3 gathers only the replicated weights', () => {
    const z1 = profile(8, 8, 1);
    // Parameters (R + X/8) x 2 = 23,631,360 B; optimizer (R/8 + X/8) x 12 = 116,886,528 B: the same optimizer state
    // as EP 4 with ZeRO over the 2 replicas, as the devices holding distinct shards number 8 either way.
    expect([z1.paramBytes, z1.optimizerBytes]).toEqual([23_631_360, 116_886_528]);
    const z3 = profile(8, 8, 3);
    expect(z3.paramBytes).toBe(19_481_088);
    expect(z3.collectives.filter((c) => c.kind === 'all-gather').map((c) => c.bytes)).toEqual([4_743_168, 4_743_168]);
  });

  it('the stage DP re-prices experts over their replicas: EP 4 on 8 from ZeRO-1 to ZeRO-3 as the ZeRO-3 profile', () => {
    const p = profile(8, 4, 1);
    const pb = precisionBytes('fp16-mixed');
    const gpu = { hbmBandwidthBytesPerSecond: 900e9, memoryEfficiency: 1 } as GpuSpec;
    const z = emptyZeroCosts(1, [8, 1], 1);
    addUnitZero(z, 0, p, [link, link], pb, gpu);
    expect(z.expertReplicas[0]).toBe(2);
    // Expert gather over 2: 1/2 x 37,776,384 B / 100e9 = 188.9 us; reduce-scatter of 4 B elements: 377.8 us.
    expect(z.expertGatherSeconds[0]).toBeCloseTo(0.00018888192, 12);
    expect(z.expertReduceScatterSeconds[0]).toBeCloseTo(0.00037776384, 12);
    const core: ZeroPriced = {
      start: 0, end: 1, forwardSeconds: 0.1, backwardSeconds: 0.2, gradientSyncSeconds: p.gradientSyncSeconds, communicationSeconds: 0,
      paramBytes: p.paramBytes, gradBytes: p.gradBytes, optimizerBytes: p.optimizerBytes, transientBytes: 0, zero: 1,
    };
    const at3 = atZeroLevel(z, core, 3, 1)!;
    const z3 = profile(8, 4, 3);
    expect(at3.paramBytes).toBeCloseTo(z3.paramBytes, 0);
    expect(at3.gradBytes).toBeCloseTo(z3.gradBytes, 0);
    expect(at3.optimizerBytes).toBeCloseTo(z3.optimizerBytes, 0);
    // ZeRO-0: the experts' state back on both replicas: (R + X/4) x 12 = 255,117,312 B.
    expect(atZeroLevel(z, core, 0, 1)!.optimizerBytes).toBeCloseTo(255_117_312, 0);
    // EP 8 on 8 (r = 1): the experts add nothing to shard or gather.
    const e8 = emptyZeroCosts(1, [8, 1], 1);
    addUnitZero(e8, 0, profile(8, 8, 1), [link, link], pb, gpu);
    expect([e8.expertElems[0], e8.expertGatherSeconds[0]]).toEqual([0, 0]);
  });

  it('fp16-adafactor (the paper\'s MoE runs): 8 B an element, no moments: EP 4 on 8 with ZeRO-1 holds (R/8 + X/8) x 4 B of master', () => {
    expect(bytesPerParameter('fp16-adafactor')).toBe(8);
    expect(precisionBytes('fp16-adafactor')).toEqual({ paramBytes: 2, gradBytes: 2, masterBytes: 4, optimizerBytes: 0 });
    const p = profile(8, 4, 1, 'fp16-adafactor');
    // (R/8 + X/8) x 4 = 9,740,544 x 4 = 38,962,176 B.
    expect([p.paramBytes, p.optimizerBytes]).toEqual([42_519_552, 38_962_176]);
  });
});
