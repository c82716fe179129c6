import { describe, expect, it } from 'vitest';
import { addNode, parseBandwidth, parseCount, deviceOffsets, presetByLabel, removeNode, setGpusPerNode, setInterBandwidth, setNodeCount, setNodeGpu, setNodeGpus, totalGpus } from './edit.ts';

describe('cluster edits', () => {
  it('builds the paper preset and adds / removes nodes', () => {
    const c = presetByLabel('p3.16xlarge x1');
    expect(c.name).toBe('p3.16xlarge:1x8');
    const two = addNode(c);
    expect(two.nodes).toHaveLength(2);
    expect(two.name).toBe('p3.16xlarge:2x8');
    expect(totalGpus(two)).toBe(16);
    expect(removeNode(two, 1).name).toBe('p3.16xlarge:1x8');
    expect(removeNode(c, 0)).toBe(c);
  });
  it('gives a node of another GPU type its own NVLink and a descriptive name', () => {
    const c = setNodeGpu(addNode(presetByLabel('p3.16xlarge x1')), 1, 'H100-SXM');
    expect(c.nodes[1].gpu).toBe('H100-SXM');
    expect(c.nodes[1].intraNode?.bandwidthBytesPerSecond).toBe(306e9);
    expect(c.nodes[0].intraNode).toBeUndefined();
    expect(c.name).toBe('V100-16GBx8+H100-SXMx8');
  });
  it('numbers devices node by node and clamps GPUs per node', () => {
    const c = setNodeGpus(addNode(presetByLabel('DGX-H100')), 0, 4);
    expect(deviceOffsets(c)).toEqual([0, 4]);
    expect(setNodeGpus(c, 0, 99).nodes[0].gpus).toBe(72);
    expect(setInterBandwidth(c, 1e9).interNode.bandwidthBytesPerSecond).toBe(1e9);
  });
  it('resizes the whole cluster: node count (copies of the last node) and GPUs on every node', () => {
    const c = presetByLabel('p3.16xlarge x2');
    expect(setNodeCount(c, 8).name).toBe('p3.16xlarge:8x8');
    expect(setNodeCount(c, 1).nodes).toHaveLength(1);
    expect(setNodeCount(c, 0).nodes).toHaveLength(1);
    const four = setGpusPerNode(c, 4);
    expect(four.name).toBe('p3.16xlarge:2x4');
    expect(totalGpus(four)).toBe(8);
    expect(setGpusPerNode(c, 100).nodes[1].gpus).toBe(72);
  });
});

describe('large clusters', () => {
  it('offers 16,384-GPU presets, lists nodes as runs, and places canvas cells node by node', async () => {
    const { nodeRuns, presetByLabel: preset } = await import('./edit.ts');
    const { deviceAt, gridLayout } = await import('../components/ClusterCanvas.tsx');
    const c = preset('DGX-H100 SuperPOD x2048 (16,384 GPUs)');
    expect(c.nodes).toHaveLength(2048);
    expect(c.fabric?.nodesPerLeaf).toBe(32);
    expect(nodeRuns(c)).toEqual([{ start: 0, count: 2048, gpu: 'H100-SXM', gpus: 8 }]);
    // 3 px cells: a node is 8 + 2 cells = 30 px wide, 21 nodes per 640 px line, 98 lines of 5 px.
    const l = gridLayout(2048, 8, 3);
    expect(l).toEqual({ cell: 3, nodeW: 30, nodeH: 5, perLine: 21, height: 98 * 5 });
    const offsets = Array.from({ length: 2048 }, (_, n) => 8 * n);
    // Node 22 is the second of line 1; its GPU 5 starts at x = 30 + 15.
    expect(deviceAt(l, c, offsets, 30 + 15 + 1, 5 + 1)).toEqual({ device: 22 * 8 + 5, node: 22, gpu: 5 });
    expect(deviceAt(l, c, offsets, 30 + 25, 6)).toBeUndefined(); // the gap after the node's 8 cells
    const nvl = preset('GB200 NVL72 rack (72 GPUs)');
    expect(nvl.nodes).toEqual([{ gpu: 'B200', gpus: 72 }]);
  });
  it('reads a bandwidth field in its unit, and names the field when the value is out of range (1e400 is Infinity)', () => {
    expect(parseBandwidth('inter-node (Gbit/s)', '50', 'Gbit/s')).toEqual({ ok: true, bytesPerSecond: 6.25e9 });
    expect(parseBandwidth('intra-node (GB/s)', '130', 'GB/s')).toEqual({ ok: true, bytesPerSecond: 1.3e11 });
    expect(parseBandwidth('inter-node (Gbit/s)', '1e400', 'Gbit/s')).toEqual({ ok: false,
      reason: 'inter-node (Gbit/s): 1e400 Gbit/s is out of range; it must be between 0.008 and 8,000,000 Gbit/s: links run between 1 MB/s and 1 PB/s (NVLink 5 is 1.8e12 B/s)' });
    const zero = parseBandwidth('intra-node (GB/s)', '0', 'GB/s');
    expect(!zero.ok && zero.reason).toMatch(/^intra-node \(GB\/s\): 0 GB\/s is out of range; it must be between 0.001 and 1,000,000 GB\/s/);
    expect(parseBandwidth('inter-node (Gbit/s)', 'fast', 'Gbit/s')).toEqual({ ok: false, reason: "inter-node (Gbit/s): 'fast' is not a number" });
  });
});

describe('parseCount', () => {
  it('takes whole numbers in range and names the field and the range otherwise', () => {
    expect(parseCount('nodes', ' 16 ', 1, 2048)).toEqual({ ok: true, value: 16 });
    expect(parseCount('nodes', '0', 1, 2048)).toEqual({ ok: false, reason: 'nodes: 0 is out of range; it must be a whole number from 1 to 2,048' });
    expect(parseCount('GPUs per node', '2.5', 1, 72)).toEqual({ ok: false, reason: 'GPUs per node: 2.5 is out of range; it must be a whole number from 1 to 72' });
    expect(parseCount('global batch', 'many', 1, 1 << 24)).toEqual({ ok: false, reason: "global batch: 'many' is not a number" });
    expect(parseCount('nodes', '', 1, 2048)).toEqual({ ok: false, reason: "nodes: '' is not a number" });
  });
});

