import { describe, expect, it } from 'vitest';
import { leafAligned, leavesSpanned, sameLeaf, spannedLink } from './fabric.ts';
import { CLUSTER_PRESETS, DGX_H100_IB, LLAMA3_ROCE_FABRIC, SUPERPOD_FABRIC } from './presets.ts';
import { parseClusterSpec } from './spec.ts';
import { logicalMesh } from './topology.ts';
import { placeSubmeshes } from '../inter/placement.ts';
import { buildMeshSpace } from '../inter/meshSpace.ts';
import { sendSeconds } from '../inter/stageOptions.ts';

const NODE_IB = 0.9 * 8 * 400e9 / 8; // 360 GB/s per DGX H100 node

describe('multi-level network (cluster/fabric.ts)', () => {
  it('counts the leaf groups a node range touches and whether a sub-mesh keeps to them', () => {
    expect(leavesSpanned(SUPERPOD_FABRIC, 0, 32)).toBe(1);
    expect(leavesSpanned(SUPERPOD_FABRIC, 16, 32)).toBe(2);
    expect(leavesSpanned(SUPERPOD_FABRIC, 0, 128)).toBe(4);
    expect(leafAligned(SUPERPOD_FABRIC, 16, 16)).toBe(true);
    expect(leafAligned(SUPERPOD_FABRIC, 16, 32)).toBe(false);
    expect(leafAligned(SUPERPOD_FABRIC, 64, 64)).toBe(true);
    expect(leafAligned(undefined, 3, 5)).toBe(true);
  });

  it('prices a ring by its members per leaf group: slowed by 2 x oversubscription / m below 2 x oversubscription', () => {
    const c = parseClusterSpec('llama3-h100-roce:768x8'); // two pods of 384 nodes, 1:7 between them
    expect(c.fabric).toEqual(LLAMA3_ROCE_FABRIC);
    // Inside one pod: the node link as it is.
    expect(spannedLink(c, DGX_H100_IB, 0, 384, 384)).toEqual(DGX_H100_IB);
    // 768 members over two pods: 384 per pod >= 14, the uplinks keep pace; the spine adds its latency.
    const wide = spannedLink(c, DGX_H100_IB, 0, 768, 768);
    expect(wide.bandwidthBytesPerSecond).toBe(NODE_IB);
    expect(wide.latencySeconds).toBeCloseTo(10e-6 + 2e-6, 12);
    // Two members, one per pod: 2 x 7 / 1 = 14 times slower.
    expect(spannedLink(c, DGX_H100_IB, 0, 768, 2).bandwidthBytesPerSecond).toBeCloseTo(NODE_IB / 14, 3);
  });

  it('logical mesh axes over two pods: data parallel groups of one node per pod run at 1/14 of the rail', () => {
    const c = parseClusterSpec('llama3-h100-roce:768x8');
    const whole = { nodeStart: 0, nodes: 768, gpuStart: 0, gpusPerNode: 8 };
    // (2, 3072): axis 1 spans 384 nodes (one pod each), axis 0 pairs node k with node k + 384 across the spine.
    const m = logicalMesh(c, whole, [2, 3072]);
    expect(m.axisLinks[1].bandwidthBytesPerSecond).toBe(NODE_IB);
    expect(m.axisLinks[0].bandwidthBytesPerSecond).toBeCloseTo(NODE_IB / 8 / 14, 3);
    // (768, 8): tensor parallel in the node, data parallel over 768 nodes: 384 members per pod, full rail speed.
    const dp = logicalMesh(c, whole, [768, 8]);
    expect(dp.axisLinks[0].bandwidthBytesPerSecond).toBe(NODE_IB / 8);
    expect(dp.axisLinks[0].latencySeconds).toBeCloseTo(12e-6, 12);
    // Without a fabric the same mesh is priced flat.
    const flat = logicalMesh(parseClusterSpec('dgx-h100:768x8'), whole, [2, 3072]);
    expect(flat.axisLinks[0].bandwidthBytesPerSecond).toBe(NODE_IB / 8);
  });

  it('a cross-stage send between leaf groups pays the full oversubscription', () => {
    const c = parseClusterSpec('llama3-h100-roce:768x8');
    const space = buildMeshSpace(c, { allNodeCounts: true, submesh: (s) => s[0] === 384 });
    const sub = space.submeshes[0];
    const bytes = 1e9;
    const node = sendSeconds(c, sub, bytes, true);
    const spine = sendSeconds(c, sub, bytes, true, true);
    expect(node).toBeCloseTo(10e-6 + bytes / (NODE_IB * 384), 12);
    expect(spine).toBeCloseTo(12e-6 + bytes / (NODE_IB / 7 * 384), 12);
  });

  it('placement keeps multi-node sub-meshes inside (or aligned to) leaf groups', () => {
    const c = CLUSTER_PRESETS['dgx-h100-superpod'].cluster(64, 8);
    const space = buildMeshSpace(c);
    const shape = (n: number) => space.submeshes.find((s) => s.shape[0] === n && s.shape[1] === 8)!;
    // In pipeline order 16, 32, 16 would put the 32-node stage over nodes 16..47, across two scalable units.
    const placed = placeSubmeshes(space, [shape(16), shape(32), shape(16)], c.fabric);
    expect(placed.map((p) => p.nodeStart)).toEqual([32, 0, 48]);
    expect(sameLeaf(c, placed[0], placed[2])).toBe(true);
    expect(sameLeaf(c, placed[0], placed[1])).toBe(false);
    // Without the fabric: pipeline order.
    expect(placeSubmeshes(space, [shape(16), shape(32), shape(16)]).map((p) => p.nodeStart)).toEqual([0, 16, 48]);
  });
});
