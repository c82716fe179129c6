/**
 * GPU and cluster presets. Peak figures are vendor datasheet numbers (dense, no sparsity). H100-SXM's efficiency
 * curve, GEMM tiling and NVLink link are fitted to ../shared/calibration (copied into cost/calibration/; the fits
 * are checked by cost/calibration.test.ts). The others are set from public figures, each cited where it is set.
 */
import type { Cluster, EfficiencyCurve, Fabric, GpuSpec, Link, MatmulTiling } from './types.ts';

const TB = 1e12;
const GB = 1e9;
const GiB = 2 ** 30;

/** A generic large-GEMM efficiency curve: tiny products are launch/latency bound, big ones near 75-80% of peak. */
const GENERIC_CURVE: EfficiencyCurve = { points: [[6, 0.02], [8, 0.1], [9, 0.3], [10, 0.55], [11, 0.7], [12, 0.78]] };

/**
 * H100-SXM, FLOP-only GEMM efficiency: least-max-relative-error fit of launch + flops / (peak x eff) to the 44 bf16
 * products of h100-sxm-compute.json above the 35 us dispatch floor (worst 17%: skinny shapes need matmulTiling).
 */
const H100_FLOP_CURVE: EfficiencyCurve = {
  points: [[9, 0.933], [10, 0.791], [11, 0.72], [12, 0.774], [13, 0.658], [14, 0.739]],
};

/**
 * H100-SXM shape-aware GEMM: 128 x 128 output tiles over 132 SMs in waves, 530 elements of K-loop overhead per
 * tile, and a FLOP curve that falls from 0.97 (short kernels, boost clock) to ~0.75 (long kernels, power-capped
 * clocks). Fitted to the bf16 products of h100-sxm-compute.json (worst 10.1% above the dispatch floor).
 */
const H100_TILING: MatmulTiling = {
  tileM: 128,
  tileN: 128,
  multiprocessors: 132,
  kOverheadElements: 530,
  efficiency: { points: [[11, 0.968], [12.5, 0.743], [14, 0.774]] },
};

/**
 * V100-SXM2 shape-aware GEMM: 128 x 128 tiles over 80 SMs. Large fp16 GEMMs reach ~90-100 TFLOP/s with cuBLAS
 * (NVIDIA's published V100 GEMM figures, ~75% of the 125 TFLOP/s tensor peak); whole GPT layers in the Alpa
 * paper run at 45-60 TFLOP/s per GPU once communication and memory-bound work are included, which the rest of the
 * model adds. K overhead as on H100 scaled to V100's smaller tiles' pipeline (256 elements).
 */
const V100_TILING: MatmulTiling = {
  tileM: 128,
  tileN: 128,
  multiprocessors: 80,
  kOverheadElements: 256,
  efficiency: { points: [[9, 0.55], [11, 0.72], [13, 0.76]] },
};

export const GPU_PRESETS: Readonly<Record<string, GpuSpec>> = {
  /**
   * V100-SXM2 16 GB (AWS p3.16xlarge): 125 TFLOP/s fp16 tensor peak, 15.7 fp32 (NVIDIA V100 datasheet);
   * 900 GB/s HBM2 (datasheet), ~80% reached by streaming kernels (BabelStream-class figures ~720-800 GB/s);
   * NVLink ring all-reduce bus bandwidth ~130 GB/s over 8 GPUs (nccl-tests on DGX-1/p3.16xlarge);
   * ~5 us launch (CUDA launch latency on Volta).
   */
  'V100-16GB': {
    name: 'V100-16GB',
    peakFlopsPerSecond: { f16: 125 * TB, bf16: 125 * TB, tf32: 15.7 * TB, f32: 15.7 * TB },
    hbmBytes: 16 * GiB,
    hbmBandwidthBytesPerSecond: 900 * GB,
    memoryEfficiency: 0.8,
    fusedMemoryEfficiency: 0.7,
    matmulEfficiency: { points: [[8, 0.1], [9, 0.35], [10, 0.6], [11, 0.72], [13, 0.76]] },
    matmulTiling: V100_TILING,
    launchSeconds: 5e-6,
    intraNodeBandwidthBytesPerSecond: 130 * GB,
  },
  /** A100-SXM 40 GB: 312 TFLOP/s bf16/fp16, 19.5 fp32, 1555 GB/s (datasheet); NVLink3 all-reduce busbw ~230 GB/s. */
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
  /** A100-SXM 80 GB: as the 40 GB part with 2039 GB/s HBM2e (datasheet). */
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
  /**
   * H100-SXM 80 GB: 989 TFLOP/s dense bf16/fp16, 67 fp32 (datasheet; measured fp32 GEMM ~52 TFLOP/s), 3350 GB/s; 79.18 GiB usable HBM (mem_gib).
   * Calibrated: copy reaches 3.0 TB/s (0.9), fused gelu 2.9 TB/s, softmax/layer norm rows 1.2-1.9 TB/s (~0.5 of
   * peak: counted in fusedMemoryEfficiency); launch 10.6 us (launch_s); NVLink all-reduce busbw 306 GB/s fitted.
   */
  'H100-SXM': {
    name: 'H100-SXM',
    peakFlopsPerSecond: { f16: 989 * TB, bf16: 989 * TB, tf32: 494 * TB, f32: 67 * TB },
    hbmBytes: 79.1787109375 * GiB,
    hbmBandwidthBytesPerSecond: 3350 * GB,
    memoryEfficiency: 0.9,
    fusedMemoryEfficiency: 0.9,
    matmulEfficiency: H100_FLOP_CURVE,
    matmulTiling: H100_TILING,
    launchSeconds: 10.55e-6,
    intraNodeBandwidthBytesPerSecond: 306 * GB,
  },
  /**
   * B200 as in GB200 NVL72 (NVIDIA GB200 NVL72 datasheet, per rack of 72 GPUs: 360 PFLOP/s FP16/BF16 with sparsity =
   * 180 dense, 13.4 TB HBM3e at 576 TB/s, 130 TB/s NVLink): per GPU 2.5 PFLOP/s dense bf16, 186 GB at 8 TB/s,
   * 1.8 TB/s NVLink (900 GB/s each way). GEMM curve: the generic one (no Blackwell measurements here).
   */
  'B200': {
    name: 'B200',
    peakFlopsPerSecond: { f16: 2500 * TB, bf16: 2500 * TB, tf32: 1250 * TB, f32: 80 * TB },
    hbmBytes: 186 * GB,
    hbmBandwidthBytesPerSecond: 8000 * GB,
    memoryEfficiency: 0.9,
    matmulEfficiency: GENERIC_CURVE,
    launchSeconds: 10.55e-6,
    intraNodeBandwidthBytesPerSecond: 612 * GB,
  },
  /** H200: H100's compute with 141 GB HBM3e at 4.8 TB/s (datasheet); same GEMM behaviour assumed. */
  'H200': {
    name: 'H200',
    peakFlopsPerSecond: { f16: 989 * TB, bf16: 989 * TB, tf32: 494 * TB, f32: 67 * TB },
    hbmBytes: 141 * GB,
    hbmBandwidthBytesPerSecond: 4800 * GB,
    memoryEfficiency: 0.9,
    fusedMemoryEfficiency: 0.9,
    matmulEfficiency: H100_FLOP_CURVE,
    matmulTiling: H100_TILING,
    launchSeconds: 10.55e-6,
    intraNodeBandwidthBytesPerSecond: 306 * GB,
  },
};

/**
 * NCCL on H100 NVLink (NV18), fitted to h100-sxm-nvlink-2gpu-collectives.json (messages >= 1 MiB): all-reduce bus
 * bandwidth 306 GB/s, 23.6 us start-up, 42 us floor per call; all-gather / reduce-scatter reach 0.85 of the
 * all-reduce bus bandwidth, all-to-all 0.94, send/recv 1.33 (one direction uses every link).
 */
export const H100_NVLINK: Link = {
  bandwidthBytesPerSecond: 306 * GB,
  latencySeconds: 23.6e-6,
  floorSeconds: 42e-6,
  collectiveEfficiency: { 'all-gather': 0.853, 'reduce-scatter': 0.845, 'all-to-all': 0.938, 'send-recv': 1.33 },
};

/** V100 NVLink (hybrid cube mesh): ~130 GB/s all-reduce bus bandwidth over 8 GPUs (nccl-tests), ~10 us steps. */
export const V100_NVLINK: Link = { bandwidthBytesPerSecond: 130 * GB, latencySeconds: 10e-6, floorSeconds: 20e-6 };

/** A100 NVLink3 through NVSwitch: ~230 GB/s all-reduce bus bandwidth (nccl-tests on DGX A100). */
export const A100_NVLINK: Link = { bandwidthBytesPerSecond: 230 * GB, latencySeconds: 10e-6, floorSeconds: 20e-6 };

/**
 * p3.16xlarge between nodes: 25 Gbit/s Ethernet per node (AWS instance spec) = 3.125 GB/s; NCCL over TCP sockets
 * reaches ~85% of line rate; ~50 us per step (TCP round trip inside a placement group).
 */
export const P3_ETHERNET: Link = { bandwidthBytesPerSecond: 0.85 * 25e9 / 8, latencySeconds: 50e-6, floorSeconds: 60e-6 };

/** DGX A100: 8 x 200 Gbit/s InfiniBand HDR per node (DGX A100 datasheet), ~90% reached. */
export const DGX_A100_IB: Link = { bandwidthBytesPerSecond: 0.9 * 8 * 200e9 / 8, latencySeconds: 10e-6, floorSeconds: 25e-6 };

/** DGX H100: 8 x 400 Gbit/s InfiniBand NDR per node (DGX H100 datasheet), ~90% reached. */
export const DGX_H100_IB: Link = { bandwidthBytesPerSecond: 0.9 * 8 * 400e9 / 8, latencySeconds: 10e-6, floorSeconds: 25e-6 };

/**
 * NVLink 5 in one GB200 NVL72 rack (72 GPUs behind NVLink switches): 900 GB/s each way per GPU; all-reduce bus
 * bandwidth at the fraction H100's NVLink reached in our fit (306 of 450 GB/s = 0.68): 612 GB/s.
 */
export const NVL72_NVLINK: Link = { bandwidthBytesPerSecond: 612 * GB, latencySeconds: 23.6e-6, floorSeconds: 42e-6 };

/** Between NVL72 racks: one 400 Gbit/s ConnectX-7 InfiniBand port per GPU (DGX GB200 datasheet: 72 OSFP ports), ~90%. */
export const NVL72_IB: Link = { bandwidthBytesPerSecond: 0.9 * 72 * 400e9 / 8, latencySeconds: 10e-6, floorSeconds: 25e-6 };

/**
 * DGX H100 SuperPOD reference architecture (NVIDIA DGX SuperPOD RA, DGX H100): scalable units of 32 nodes, a
 * rail-optimised NDR InfiniBand fat tree, non-blocking from leaf to spine; ~1 us more per step through the spine
 * (two more switch hops).
 */
export const SUPERPOD_FABRIC: Fabric = { nodesPerLeaf: 32, spineOversubscription: 1, spineLatencySeconds: 1e-6 };

/**
 * Meta's Llama 3 training cluster (Llama 3 paper, Dubey et al. 2024, §3.3.1): 400 Gbit/s RoCE per GPU, pods of
 * 3,072 GPUs (384 nodes) with full bisection bandwidth, pods joined by aggregation switches at 1:7
 * oversubscription.
 */
export const LLAMA3_ROCE_FABRIC: Fabric = { nodesPerLeaf: 384, spineOversubscription: 7, spineLatencySeconds: 2e-6 };

/** DGX SuperPOD with DGX GB200: scalable units of 8 NVL72 racks (576 GPUs), non-blocking InfiniBand above them. */
export const NVL72_FABRIC: Fabric = { nodesPerLeaf: 8, spineOversubscription: 1, spineLatencySeconds: 1e-6 };

export interface ClusterPreset {
  readonly name: string;
  readonly gpu: string;
  readonly maxNodes: number;
  readonly gpusPerNode: number;
  readonly intraNode: Link;
  readonly interNode: Link;
  /** Switch levels above the nodes, when the preset names a fabric. */
  readonly fabric?: Fabric;
  /** `nodes x gpusPerNode` of this preset (kept for callers of the first version; same as presetCluster). */
  readonly cluster: (nodes: number, gpusPerNode: number) => Cluster;
}

/** Build `nodes x gpusPerNode` of a preset (no range checks here: parseClusterSpec checks the bounds). */
export function presetCluster(p: Omit<ClusterPreset, 'cluster'>, nodes: number, gpusPerNode: number): Cluster {
  return {
    name: `${p.name}:${nodes}x${gpusPerNode}`,
    nodes: Array.from({ length: nodes }, () => ({ gpu: p.gpu, gpus: gpusPerNode })),
    intraNode: p.intraNode,
    interNode: p.interNode,
    ...(p.fabric ? { fabric: p.fabric } : {}),
  };
}

function preset(p: Omit<ClusterPreset, 'cluster'>): ClusterPreset {
  return { ...p, cluster: (nodes, gpusPerNode) => presetCluster(p, nodes, gpusPerNode) };
}

export const CLUSTER_PRESETS: Readonly<Record<string, ClusterPreset>> = {
  /** The paper's testbed: AWS p3.16xlarge, 8 x V100-SXM2 16 GB on NVLink, 25 Gbit/s between nodes, up to 8 nodes. */
  'p3.16xlarge': preset({ name: 'p3.16xlarge', gpu: 'V100-16GB', gpusPerNode: 8, maxNodes: 8, intraNode: V100_NVLINK, interNode: P3_ETHERNET }),
  'dgx-a100': preset({ name: 'dgx-a100', gpu: 'A100-80GB', gpusPerNode: 8, maxNodes: 2048, intraNode: A100_NVLINK, interNode: DGX_A100_IB }),
  'dgx-h100': preset({ name: 'dgx-h100', gpu: 'H100-SXM', gpusPerNode: 8, maxNodes: 2048, intraNode: H100_NVLINK, interNode: DGX_H100_IB }),
  /** DGX H100 nodes in SuperPOD scalable units of 32 (SUPERPOD_FABRIC), up to 2,048 nodes = 16,384 GPUs. */
  'dgx-h100-superpod': preset({ name: 'dgx-h100-superpod', gpu: 'H100-SXM', gpusPerNode: 8, maxNodes: 2048, intraNode: H100_NVLINK, interNode: DGX_H100_IB, fabric: SUPERPOD_FABRIC }),
  /** H100 nodes on Meta's Llama 3 RoCE fabric (LLAMA3_ROCE_FABRIC), 8 x 400 Gbit/s per node as DGX H100. */
  'llama3-h100-roce': preset({ name: 'llama3-h100-roce', gpu: 'H100-SXM', gpusPerNode: 8, maxNodes: 2048, intraNode: H100_NVLINK, interNode: DGX_H100_IB, fabric: LLAMA3_ROCE_FABRIC }),
  /** GB200 NVL72 racks as nodes of 72 GPUs in one NVLink domain, up to 227 racks (16,344 GPUs). */
  'gb200-nvl72': preset({ name: 'gb200-nvl72', gpu: 'B200', gpusPerNode: 72, maxNodes: 227, intraNode: NVL72_NVLINK, interNode: NVL72_IB, fabric: NVL72_FABRIC }),
};
