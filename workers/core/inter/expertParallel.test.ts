import { describe, expect, it } from 'vitest';
import type { Link } from '../cluster/types.ts';
import { collectiveSeconds } from '../cost/collectives.ts';
import { zooModel } from '../zoo/index.ts';
import { expertRegion } from './expertRegion.ts';
import { expertVariants } from './expertChoice.ts';
import { runLayerConstruction } from './layerConstruction.ts';
import { manualProfile } from './manualProfile.ts';

// One GShard MoE layer of moe-380M at batch 8: T = 8 x 1024 = 8,192 tokens, hidden H = 768, E = 8 experts of
// F = 8H = 6,144, top-2 with the zoo's capacity C = 2 x 2048 / 8 = 512 per group of 2,048 tokens (capacity factor 1
// in the graph), fp16 (2 B). The experts' input [E, G, C, H] = 8 x 4 x 512 x 768 = T x top_k x H elements.
const graph = zooModel('moe-380M', { batch: 8 });
const tensors = new Map(graph.tensors.map((t) => [t.id, t]));
const unit = runLayerConstruction(graph, { layers: 'auto' }).unitGraph.units
  .find((u) => u.forwardOps.some((i) => graph.ops[i].path === 'moe/layers.0/moe/experts/wi'))!;
const link: Link = { bandwidthBytesPerSecond: 100e9, latencySeconds: 0 };
const tokenBytes = 8192 * 2 * 768 * 2; // T x top_k x H x 2 B = 25,165,824 B
// wi and wo kernels [E, H, F], [E, F, H] and their biases [E, F], [E, H]: 75,497,472 + 55,296 = 75,552,768.
const expertElems = 2 * 8 * 768 * 6144 + 8 * 6144 + 8 * 768;

function profile(ep: number, capacityFactor = 1.25) {
  return manualProfile(graph, unit, [4, 1], 'fp16-mixed', { tensorParallel: false, expertParallel: ep > 1, expertDegree: ep, zeroStage: 1, capacityFactor },
    [link, link], tensors, true);
}

describe('expert parallelism on one MoE layer (hand-computed)', () => {
  it('tokens enter the experts once (the routed [E, G, C, H]) and leave once (the experts\' output after its bias)', () => {
    const r = expertRegion(graph, unit.forwardOps, tensors);
    expect(r.dispatch.map((b) => b.tensor.shape)).toEqual([[8, 4, 512, 768]]);
    expect(r.combine.map((b) => [graph.ops[b.op].path, b.tensor.shape])).toEqual([['moe/layers.0/moe/experts/wo/bias_add', [8, 4, 512, 768]]]);
  });

  it('EP 4 over axis 0 of 4: dispatch + combine, forward and backward, each T x 2 x H x 2 B x 1.25 = 31,457,280 B', () => {
    const p = profile(4);
    const a2a = p.collectives.filter((c) => c.kind === 'all-to-all');
    expect(a2a.map((c) => [c.phase, c.bytes, c.group])).toEqual([
      ['forward', 31_457_280, 4], ['backward', 31_457_280, 4], ['forward', 31_457_280, 4], ['backward', 31_457_280, 4]]);
    expect(tokenBytes * 1.25).toBe(31_457_280);
    // Each device sends (n - 1)/n^2 of the group's bytes: 3/16 x 31,457,280 = 5,898,240 B at 100 GB/s = 58.98 us.
    expect(collectiveSeconds('all-to-all', a2a[0].bytes, 4, link)).toBeCloseTo(58.9824e-6, 12);
    // Experts divided by the EP degree, the rest replicated: expert kernels and biases 75,552,768 / 4 elements of 2 B.
    const dense = profile(1);
    expect(dense.paramBytes - p.paramBytes).toBeCloseTo(expertElems * 2 * (1 - 1 / 4), 0);
    expect(p.expertParallel).toBe(4);
    expect(dense.expertParallel).toBe(1);
    expect(dense.collectives.filter((c) => c.kind === 'all-to-all')).toEqual([]);
  });

  it('EP 2 on axis 0 of 4: two groups, each moving half the tokens; experts reduced over their 2 replicas', () => {
    const p = profile(2);
    const a2a = p.collectives.filter((c) => c.kind === 'all-to-all');
    expect(a2a.map((c) => [c.bytes, c.group])).toEqual(Array(4).fill([15_728_640, 2]));
    // 1/4 x 15,728,640 = 3,932,160 B on the wire per device: 39.32 us.
    expect(collectiveSeconds('all-to-all', a2a[0].bytes, 2, link)).toBeCloseTo(39.3216e-6, 12);
    // Gradient sync: the replicated weights over 4 (as EP 4) plus the experts / 2 all-reduced over 2 devices at
    // 4 B an element: 2 x 1/2 x 37,776,384 x 4 / 100e9 = 1.51 ms.
    const ep4 = profile(4);
    expect(p.gradientSyncSeconds - ep4.gradientSyncSeconds).toBeCloseTo((expertElems / 2) * 4 / 100e9, 9);
  });

  it('the capacity factor scales the all-to-alls linearly', () => {
    expect(profile(4, 2).collectives.find((c) => c.kind === 'all-to-all')!.bytes).toBe(tokenBytes * 2);
  });

  it('degrees offered: every divisor of axis 0 that divides the experts, largest first; a forced degree only where it divides axis 0', () => {
    expect(expertVariants([32, 1], 64)).toEqual(['template', 'template-ep16', 'template-ep8', 'template-ep4', 'template-ep2', 'template-dense']);
    expect(expertVariants([4, 2], 64)).toEqual(['template', 'template-ep2', 'template-dense']);
    expect(expertVariants([16, 1], 8)).toEqual(['template-ep8', 'template-ep4', 'template-ep2', 'template-dense']);
    expect(expertVariants([12, 1], 8)).toEqual(['template-ep4', 'template-ep2', 'template-dense']);
    expect(expertVariants([16, 1], 64, 4)).toEqual(['template-ep4']);
    expect(expertVariants([2, 4], 64, 4)).toEqual([]);
  });
});
