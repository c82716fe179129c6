import { describe, expect, it } from 'vitest';
import { ClusterSpecError, parseClusterSpec, validateCluster } from './spec.ts';
import { totalDevices } from './topology.ts';
import type { Cluster } from './types.ts';

describe('parseClusterSpec', () => {
  it('reads a bare preset as one full node', () => {
    const c = parseClusterSpec('p3.16xlarge');
    expect(c.nodes).toEqual([{ gpu: 'V100-16GB', gpus: 8 }]);
    expect(c.interNode.bandwidthBytesPerSecond).toBeCloseTo(0.85 * 25e9 / 8, 0);
  });

  it('reads nodes x GPUs', () => {
    expect(totalDevices(parseClusterSpec('p3.16xlarge:8x8'))).toBe(64);
    const h = parseClusterSpec('dgx-h100:1x2');
    expect(h.nodes).toEqual([{ gpu: 'H100-SXM', gpus: 2 }]);
    expect(h.intraNode.bandwidthBytesPerSecond).toBe(306e9);
    expect(h.name).toBe('dgx-h100:1x2');
  });

  it('joins heterogeneous parts, each node keeping its NVLink and the slowest NIC between nodes', () => {
    const c = parseClusterSpec('dgx-a100:2x8+dgx-h100:1x8');
    expect(c.nodes.map((n) => n.gpu)).toEqual(['A100-80GB', 'A100-80GB', 'H100-SXM']);
    expect(c.nodes[2].intraNode?.bandwidthBytesPerSecond).toBe(306e9);
    expect(c.interNode.bandwidthBytesPerSecond).toBeCloseTo(0.9 * 200e9, 0);
    expect(validateCluster(c)).toEqual([]);
  });

  it('names the problem in its errors', () => {
    expect(() => parseClusterSpec('p4d')).toThrow(/unknown cluster preset 'p4d' \(known: p3.16xlarge, dgx-a100, dgx-h100, dgx-h100-superpod, llama3-h100-roce, gb200-nvl72\)/);
    expect(() => parseClusterSpec('p3.16xlarge:9x8')).toThrow(/nodes must be 1..8, got 9/);
    expect(() => parseClusterSpec('dgx-h100:1x16')).toThrow(/GPUs per node must be 1..8, got 16/);
    expect(() => parseClusterSpec('dgx-h100:0x8')).toThrow(ClusterSpecError);
    expect(() => parseClusterSpec('dgx-h100:2')).toThrow(/expected <preset>\[:<nodes>x<gpusPerNode>\]/);
    expect(() => parseClusterSpec('dgx-h100+')).toThrow(/empty part/);
  });
});

describe('validateCluster', () => {
  const good = parseClusterSpec('p3.16xlarge:2x8');
  it('accepts the presets', () => {
    for (const s of ['p3.16xlarge:8x8', 'dgx-a100:4x8', 'dgx-h100:1x1']) expect(validateCluster(parseClusterSpec(s))).toEqual([]);
  });

  it('names each bad node and field', () => {
    const bad: Cluster = {
      ...good,
      nodes: [{ gpu: 'V100-16GB', gpus: 0 }, { gpu: 'TPUv4', gpus: 4 }],
      intraNode: { bandwidthBytesPerSecond: 0, latencySeconds: 1e-5 },
      interNode: { bandwidthBytesPerSecond: -1, latencySeconds: -2 },
    };
    expect(validateCluster(bad)).toEqual([
      'node 0: gpus must be an integer in 1..72 (the largest NVLink domain sold is 72 GPUs (GB200 NVL72)), got 0',
      "node 1: unknown GPU type 'TPUv4' (presets: V100-16GB, A100-40GB, A100-80GB, H100-SXM, B200, H200; or define it in gpuSpecs)",
      'intraNode.bandwidthBytesPerSecond must be a number in [1,000,000, 1e15] (links run between 1 MB/s and 1 PB/s (NVLink 5 is 1.8e12 B/s)), got 0',
      'interNode.bandwidthBytesPerSecond must be a number in [1,000,000, 1e15] (links run between 1 MB/s and 1 PB/s (NVLink 5 is 1.8e12 B/s)), got -1',
      'interNode.latencySeconds must be a number in [0, 1] (a collective step taking over a second is a broken link, not a slow one), got -2',
    ]);
  });

  it('reports a cluster without nodes and accepts user GPU specs', () => {
    expect(validateCluster({ ...good, nodes: [] })).toEqual(['cluster has no nodes']);
    const custom: Cluster = {
      ...good,
      nodes: [{ gpu: 'MyGPU', gpus: 4 }],
      gpuSpecs: { MyGPU: { name: 'MyGPU',
        peakFlopsPerSecond: { f16: 1e14, bf16: 1e14, tf32: 5e13, f32: 1e13 }, hbmBytes: 0,
        hbmBandwidthBytesPerSecond: 1e12, memoryEfficiency: 0.8, matmulEfficiency: { points: [[9, 0.5]] },
        launchSeconds: 5e-6, intraNodeBandwidthBytesPerSecond: 1e11 } },
    };
    expect(validateCluster(custom)).toEqual(["gpuSpecs['MyGPU'].hbmBytes must be a number in [1,048,576, 1.76e13] (device memory between 1 MiB and 16 TiB), got 0"]);
  });
});
