/**
 * Alpha-beta cost of collectives on one mesh axis (DESIGN.md "Cost model"). `bytes` is the full message
 * (the whole tensor being reduced / gathered; for all-to-all the tensor summed over the axis' devices), n the number
 * of devices on the axis. The link's bandwidth is NCCL's all-reduce bus bandwidth; each kind reaches its own
 * fraction of it (Link.collectiveEfficiency, fitted on H100 NVLink). Start-up: the link's per-step latency times the
 * steps of the algorithm NCCL runs (startupSteps), never below the link's per-call floor.
 */
import type { Link } from '../cluster/types.ts';

export type CollectiveKind = 'all-reduce' | 'all-gather' | 'reduce-scatter' | 'all-to-all' | 'send-recv';

export interface Collective {
  readonly kind: CollectiveKind;
  /** Mesh axis it runs over: 0, 1, or 'both' (01). */
  readonly axis: 0 | 1 | '01';
  /** Devices of its group when fewer than the axis' (expert or context parallelism); absent: the whole axis. */
  readonly group?: number;
  /** Bytes of the full message the collective moves (before the (n-1)/n factors). */
  readonly bytes: number;
  readonly seconds: number;
  /** Op (or tensor) that implies it, and why: 'forward', 'backward', 'gradient-sync', 'resharding', 'weight-update'. */
  readonly op: string;
  readonly reason: string;
}

/** Bytes each device puts on the wire (what NCCL's bus bandwidth is measured against). */
export function collectiveWireBytes(kind: CollectiveKind, bytes: number, n: number): number {
  switch (kind) {
    case 'all-reduce': return (2 * (n - 1) / n) * bytes;
    case 'all-gather':
    case 'reduce-scatter': return ((n - 1) / n) * bytes;
    case 'all-to-all': return ((n - 1) / (n * n)) * bytes;
    case 'send-recv': return bytes;
  }
}

/**
 * Start-up latencies a collective over n ranks pays, by the algorithm NCCL runs it with. NCCL's all-gather and
 * reduce-scatter are rings: each rank forwards one slice per step, n - 1 steps, so the start-up grows linearly
 * with the communicator (NCCL maintainers, NVIDIA/nccl#1712; the busbw factors (n - 1) / n of nccl-tests'
 * doc/PERFORMANCE.md count the same n - 1 slices). All-to-all sends to each of the n - 1 peers. For all-reduce
 * NCCL prices ring (reduce-scatter then all-gather: 2 (n - 1) steps) and tree (double binary tree across nodes,
 * reduce up then broadcast down: about 2 log2 n) per message size and takes the faster (NVIDIA/nccl#457, #548);
 * both move about the same bus bandwidth at scale, so the bandwidth term stays and the start-up is the smaller
 * count, less one: the 2-GPU H100 calibration (h100-sxm-nvlink-2gpu-collectives.json) measured one start-up for
 * all-reduce as for all-gather, i.e. the two phases share the hop where they meet. A group spanning nodes runs one
 * ring whose every step waits for its slowest hop: n - 1 steps at the group's link (the inter-node one once the
 * group leaves a node; NCCL's own tuning splits the count into intra- and inter-node steps, not modelled here).
 */
export function startupSteps(kind: CollectiveKind, n: number): number {
  if (kind === 'send-recv') return 1;
  if (n <= 1) return 0;
  if (kind === 'all-reduce') return Math.min(2 * (n - 1), 2 * Math.ceil(Math.log2(n))) - 1;
  return n - 1;
}

export function collectiveSeconds(kind: CollectiveKind, bytes: number, n: number, link: Link): number {
  if (bytes <= 0) return 0;
  if (n <= 1 && kind !== 'send-recv') return 0;
  const efficiency = link.collectiveEfficiency?.[kind] ?? 1;
  const steps = startupSteps(kind, n);
  const seconds = link.latencySeconds * steps + collectiveWireBytes(kind, bytes, n) / (link.bandwidthBytesPerSecond * efficiency);
  return Math.max(link.floorSeconds ?? 0, seconds);
}
