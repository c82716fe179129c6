import { describe, expect, it } from 'vitest';
import { addNode, deviceOffsets, presetByLabel, removeNode, setGpusPerNode, setInterBandwidth, setNodeCount, setNodeGpu, setNodeGpus, totalGpus } from './edit.ts';

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
    expect(setNodeGpus(c, 0, 99).nodes[0].gpus).toBe(16);
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
    expect(setGpusPerNode(c, 64).nodes[1].gpus).toBe(16);
  });
});
