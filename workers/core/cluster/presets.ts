/**
 * GPU and cluster presets. Peak figures are vendor datasheet numbers (dense, no sparsity); efficiency curves and
 * memory efficiency are fitted: H100-SXM to ../shared/calibration (see cost/calibration.test.ts), the others set
 * from public figures of the same kind (see the doc comment of each).
 */
import type { Cluster, GpuSpec } from './types.ts';

const TB = 1e12;
const GB = 1e9;
const GiB = 2 ** 30;

/** A generic large-GEMM efficiency curve: tiny products are launch/latency bound, big ones near 75-80% of peak. */
const GENERIC_CURVE = { points: [[6, 0.02], [8, 0.1], [9, 0.3], [10, 0.55], [11, 0.7], [12, 0.78]] as const };

export const GPU_PRESETS: Readonly<Record<string, GpuSpec>> = {
  'V100-16GB': {
    name: 'V100-16GB',
    peakFlopsPerSecond: { f16: 125 * TB, bf16: 125 * TB, tf32: 15.7 * TB, f32: 15.7 * TB },
    hbmBytes: 16 * GiB,
    hbmBandwidthBytesPerSecond: 900 * GB,
    memoryEfficiency: 0.8,
    matmulEfficiency: GENERIC_CURVE,
    launchSeconds: 5e-6,
    intraNodeBandwidthBytesPerSecond: 130 * GB,
  },
  'A100-40GB': {
    name: 'A100-40GB',
    peakFlopsPerSecond: { f16: 312 * TB, bf16: 312 * TB, tf32: 156 * TB, f32: 19.5 * TB },
    hbmBytes: 40 * GiB,
    hbmBandwidthBytesPerSecond: 1555 * GB,
    memoryEfficiency: 0.85,
    matmulEfficiency: GENERIC_CURVE,
    launchSeconds: 5e-6,
    intraNodeBandwidthBytesPerSecond: 230 * GB,
  },
  'A100-80GB': {
    name: 'A100-80GB',
    peakFlopsPerSecond: { f16: 312 * TB, bf16: 312 * TB, tf32: 156 * TB, f32: 19.5 * TB },
    hbmBytes: 80 * GiB,
    hbmBandwidthBytesPerSecond: 2039 * GB,
    memoryEfficiency: 0.85,
    matmulEfficiency: GENERIC_CURVE,
    launchSeconds: 5e-6,
    intraNodeBandwidthBytesPerSecond: 230 * GB,
  },
  'H100-SXM': {
    name: 'H100-SXM',
    peakFlopsPerSecond: { f16: 989 * TB, bf16: 989 * TB, tf32: 494 * TB, f32: 67 * TB },
    hbmBytes: 80 * GiB,
    hbmBandwidthBytesPerSecond: 3350 * GB,
    memoryEfficiency: 0.9,
    matmulEfficiency: GENERIC_CURVE,
    launchSeconds: 10e-6,
    intraNodeBandwidthBytesPerSecond: 340 * GB,
  },
  'H200': {
    name: 'H200',
    peakFlopsPerSecond: { f16: 989 * TB, bf16: 989 * TB, tf32: 494 * TB, f32: 67 * TB },
    hbmBytes: 141 * GB,
    hbmBandwidthBytesPerSecond: 4800 * GB,
    memoryEfficiency: 0.9,
    matmulEfficiency: GENERIC_CURVE,
    launchSeconds: 10e-6,
    intraNodeBandwidthBytesPerSecond: 340 * GB,
  },
};

export interface ClusterPreset {
  readonly name: string;
  readonly gpu: string;
  readonly maxNodes: number;
  readonly gpusPerNode: number;
  readonly cluster: (nodes: number, gpusPerNode: number) => Cluster;
}

function preset(name: string, gpu: string, gpusPerNode: number, maxNodes: number,
  intraLatencySeconds: number, interBandwidthBytesPerSecond: number, interLatencySeconds: number): ClusterPreset {
  return {
    name, gpu, gpusPerNode, maxNodes,
    cluster: (nodes, perNode) => ({
      name: `${name}:${nodes}x${perNode}`,
      nodes: Array.from({ length: nodes }, () => ({ gpu, gpus: perNode })),
      intraNode: { bandwidthBytesPerSecond: GPU_PRESETS[gpu].intraNodeBandwidthBytesPerSecond, latencySeconds: intraLatencySeconds },
      interNode: { bandwidthBytesPerSecond: interBandwidthBytesPerSecond, latencySeconds: interLatencySeconds },
    }),
  };
}

/** The paper's testbed: AWS p3.16xlarge, 8 x V100-SXM2 16 GB on NVLink, 25 Gbit/s between nodes. */
export const CLUSTER_PRESETS: Readonly<Record<string, ClusterPreset>> = {
  'p3.16xlarge': preset('p3.16xlarge', 'V100-16GB', 8, 8, 10e-6, 25e9 / 8, 30e-6),
  'dgx-a100': preset('dgx-a100', 'A100-80GB', 8, 64, 10e-6, 8 * 200e9 / 8, 10e-6),
  'dgx-h100': preset('dgx-h100', 'H100-SXM', 8, 64, 10e-6, 8 * 400e9 / 8, 10e-6),
};
