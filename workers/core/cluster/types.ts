/** GPU and cluster descriptions: plain data, SI units in every name. */

export type ComputeDType = 'f32' | 'tf32' | 'f16' | 'bf16';

/** Matmul efficiency as a function of the product's FLOPs: piecewise-linear in log10(flops), clamped. */
export interface EfficiencyCurve {
  /** [log10(flops), fraction of peak] points, sorted by the first value. */
  readonly points: readonly (readonly [number, number])[];
}

export interface GpuSpec {
  readonly name: string;
  /** Dense peak per dtype (tensor cores for f16/bf16/tf32). */
  readonly peakFlopsPerSecond: Readonly<Record<ComputeDType, number>>;
  readonly hbmBytes: number;
  readonly hbmBandwidthBytesPerSecond: number;
  /** Fraction of HBM bandwidth memory-bound kernels reach at large sizes. */
  readonly memoryEfficiency: number;
  readonly matmulEfficiency: EfficiencyCurve;
  /** Fixed cost of one kernel launch. */
  readonly launchSeconds: number;
  /** Per-GPU NVLink/PCIe bandwidth inside a node (one direction) used when a node does not override it. */
  readonly intraNodeBandwidthBytesPerSecond: number;
  /** Shape-aware GEMM model (cost/compute.ts matmulSeconds); absent: the FLOP-only curve alone. */
  readonly matmulTiling?: MatmulTiling;
  /** Fraction of HBM bandwidth a normalisation kernel (layer norm, batch norm: a reduction and a rewrite of
   * each row) reaches; defaults to memoryEfficiency. */
  readonly fusedMemoryEfficiency?: number;
  /** Fraction of HBM bandwidth a row softmax kernel reaches (reads, reduces twice, writes); defaults to
   * fusedMemoryEfficiency. */
  readonly softmaxMemoryEfficiency?: number;
}

/**
 * Tiles and waves of a GEMM kernel: output tiles of tileM x tileN spread over the multiprocessors in waves, each
 * tile paying kOverheadElements of extra K-loop time (prologue / epilogue). The efficiency curve in `efficiency`
 * (by FLOPs) carries what the tiling does not (clock throttling of long kernels, pipeline fill).
 */
export interface MatmulTiling {
  readonly tileM: number;
  readonly tileN: number;
  readonly multiprocessors: number;
  readonly kOverheadElements: number;
  readonly efficiency: EfficiencyCurve;
}

export interface Link {
  /** Bus bandwidth an all-reduce reaches on this link (NCCL's busbw), bytes/s. */
  readonly bandwidthBytesPerSecond: number;
  /** Start-up latency of one collective step, seconds. */
  readonly latencySeconds: number;
  /** Smallest time any collective call takes on this link (kernel launch + proxy handshake), seconds. */
  readonly floorSeconds?: number;
  /** Bus-bandwidth fraction each collective reaches relative to all-reduce (missing kinds: 1). */
  readonly collectiveEfficiency?: Readonly<Partial<Record<'all-reduce' | 'all-gather' | 'reduce-scatter' | 'all-to-all' | 'send-recv', number>>>;
}

export interface ClusterNode {
  /** Name of a GpuSpec: a preset name or one defined in Cluster.gpuSpecs. */
  readonly gpu: string;
  readonly gpus: number;
  /** This node's GPU-to-GPU link when it differs from Cluster.intraNode (heterogeneous clusters). */
  readonly intraNode?: Link;
}

/**
 * The switch levels above the nodes (a two-tier fat tree, rail-optimised: GPU k of every node on rail k). Nodes
 * under one leaf group (a scalable unit / pod) talk at interNode bandwidth; traffic between leaf groups crosses the
 * spine, whose uplinks carry 1 / spineOversubscription of the leaves' downlink bandwidth (cluster/fabric.ts).
 */
export interface Fabric {
  /** Nodes under one leaf group (full bisection bandwidth among them). */
  readonly nodesPerLeaf: number;
  /** Leaf downlink : uplink bandwidth, >= 1 (1: non-blocking). */
  readonly spineOversubscription: number;
  /** Extra start-up latency of a step that crosses the spine, seconds. */
  readonly spineLatencySeconds: number;
}

export interface Cluster {
  readonly name: string;
  readonly nodes: readonly ClusterNode[];
  /** User-defined GPU specs (presets are looked up by name when absent here). */
  readonly gpuSpecs?: Readonly<Record<string, GpuSpec>>;
  /** Link between GPUs of one node (per-GPU bandwidth of the ring). */
  readonly intraNode: Link;
  /** Link between nodes: bandwidth per node, shared by that node's GPUs. */
  readonly interNode: Link;
  /** Switch levels above the nodes; absent: every node pair at interNode (one flat level). */
  readonly fabric?: Fabric;
}

/** A rectangle of devices in the cluster: nodes [nodeStart, nodeStart+nodes) x GPUs [gpuStart, gpuStart+gpusPerNode). */
export interface SubMesh {
  readonly nodeStart: number;
  readonly nodes: number;
  readonly gpuStart: number;
  readonly gpusPerNode: number;
}

/**
 * A logical 2-D view (n0, n1) of a sub-mesh's devices. Axis 1 is laid inside a node when it fits (Alpa's mapping),
 * so a (2, 8) mesh on two 8-GPU nodes has axis 0 across nodes.
 */
export interface LogicalMesh {
  readonly shape: readonly [number, number];
  /** Per axis: the link its collectives run over (derived from where the axis' devices sit). */
  readonly axisLinks: readonly [Link, Link];
}
