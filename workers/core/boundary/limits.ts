/**
 * Finite ranges for every number a user can give the planner (CLI flags, cluster JSON, page fields, share URLs),
 * each with the reason it has, so that a message can say why a value is refused. The planner's work grows with
 * these (the stage DP with devices and layers, the micro-batch search with the batch's divisors), so they are
 * also what keeps every input ending in seconds.
 */

export interface Range {
  readonly min: number;
  readonly max: number;
  /** Whether the value must be an integer. */
  readonly integer: boolean;
  /** Minimum excluded (a positive quantity). */
  readonly minExclusive?: boolean;
  /** Why the range is what it is, shown in the message. */
  readonly reason: string;
}

const int = (min: number, max: number, reason: string): Range => ({ min, max, integer: true, reason });
const real = (min: number, max: number, reason: string, minExclusive = false): Range => ({ min, max, integer: false, minExclusive, reason });

export const LIMITS = {
  nodes: int(1, 2048, 'the planner is sized for clusters of up to 2,048 nodes'),
  gpusPerNode: int(1, 72, 'the largest NVLink domain sold is 72 GPUs (GB200 NVL72)'),
  totalGpus: int(1, 16384, 'the planner is sized for up to 16,384 GPUs (2,048 nodes x 8)'),
  gpuGroups: int(1, 4, 'the stage DP tries every pipeline order of the groups of consecutive same-type nodes (4! = 24)'),
  globalBatch: int(1, 1 << 24, 'a global batch above 16,777,216 samples is beyond any published training run'),
  seq: int(1, 1 << 20, 'sequence lengths above 1,048,576 tokens are beyond any published model'),
  microbatches: int(1, 4096, 'past 4,096 micro-batches the pipeline bubble is negligible, and each one is simulated'),
  layers: int(1, 4096, 'the stage DP is quadratic in layers; 4,096 is far above any model\'s layer count'),
  parallelDegree: int(1, 16384, 'a parallel degree cannot exceed the largest cluster (16,384 GPUs)'),
  workers: int(1, 256, 'more worker threads than this only contend for cores'),
  layerIndex: int(0, 1_000_000, 'a layer index'),
  pricePerGpuHour: real(0, 1000, 'US dollars per GPU-hour; rentals run $1-$10', true),
  memoryGb: real(0, 1_048_576, 'no device has more than 1 PiB of memory', true),
  timeLimitSeconds: real(0, 3600, 'one ILP solve is given at most an hour', true),
  meshAxis: int(1, 16384, 'a mesh axis cannot exceed the largest cluster (16,384 GPUs)'),
  bandwidthBytesPerSecond: real(1e6, 1e15, 'links run between 1 MB/s and 1 PB/s (NVLink 5 is 1.8e12 B/s)'),
  spineOversubscription: real(1, 64, 'leaf downlink : uplink bandwidth; past 64:1 a spine is not a network'),
  latencySeconds: real(0, 1, 'a collective step taking over a second is a broken link, not a slow one'),
  efficiency: real(0, 1, 'a fraction of the peak', true),
  collectiveEfficiency: real(0, 4, 'bus bandwidth relative to an all-reduce\'s (send/recv reaches ~1.3x)', true),
  peakFlopsPerSecond: real(1e9, 1e18, 'GPUs run between 1 GFLOP/s and 1 EFLOP/s (H100 bf16 is 9.9e14)'),
  hbmBytes: real(2 ** 20, 2 ** 44, 'device memory between 1 MiB and 16 TiB'),
  hbmBandwidthBytesPerSecond: real(1e8, 1e15, 'memory bandwidth between 100 MB/s and 1 PB/s (H100 is 3.35e12 B/s)'),
  launchSeconds: real(0, 1, 'a kernel launch taking over a second is not a GPU'),
  log10Flops: real(0, 30, 'log10 of a product\'s FLOPs'),
  tile: int(1, 65536, 'a GEMM tile or multiprocessor count'),
  kOverheadElements: real(0, 1e9, 'extra K-loop elements per tile'),
  ops: int(1, 200_000, 'imported training graphs of the largest models have tens of thousands of ops'),
  tensors: int(1, 1_000_000, 'five tensors per op of the largest graph accepted'),
  /** One tensor dimension: 2^40 elements on one axis is far past any device's memory. */
  dim: int(1, 2 ** 40, 'no device holds a tensor with more than 2^40 elements on one axis'),
  /** Elements of one tensor. */
  tensorElements: int(1, 2 ** 53, 'a tensor of more than 2^53 elements cannot be counted exactly'),
} as const satisfies Record<string, Range>;

export type LimitName = keyof typeof LIMITS;

/** '1..2048' or '(0, 1]' for a message. */
export function rangeText(r: Range): string {
  const fmt = (v: number) => (Math.abs(v) >= 1e9 ? v.toExponential(2).replace('.00e', 'e').replace('e+', 'e')
    : Number.isInteger(v) && Math.abs(v) >= 1e4 ? v.toLocaleString('en-US') : String(v));
  return r.integer ? `${fmt(r.min)}..${fmt(r.max)}` : `${r.minExclusive ? '(' : '['}${fmt(r.min)}, ${fmt(r.max)}]`;
}

/** Whether `value` is a number in the range. */
export function inRange(value: unknown, r: Range): value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) return false;
  if (r.integer && !Number.isInteger(value)) return false;
  return (r.minExclusive ? value > r.min : value >= r.min) && value <= r.max;
}

/** Undefined when `value` is in the range, else '<what> must be <an integer in> 1..2048 (<reason>), got <value>'. */
export function rangeProblem(what: string, value: unknown, r: Range): string | undefined {
  if (inRange(value, r)) return undefined;
  const shown = typeof value === 'number' ? String(value) : JSON.stringify(value) ?? String(value);
  return `${what} must be ${r.integer ? 'an integer in ' : 'a number in '}${rangeText(r)} (${r.reason}), got ${shown.length > 40 ? `${shown.slice(0, 40)}...` : shown}`;
}
