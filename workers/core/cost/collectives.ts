/**
 * Alpha-beta cost of collectives on one mesh axis (DESIGN.md "Cost model"). `bytes` is the full message
 * (the whole tensor being reduced / gathered; for all-to-all the tensor summed over the axis' devices), n the number
 * of devices on the axis. The link's bandwidth is NCCL's all-reduce bus bandwidth; each kind reaches its own
 * fraction of it (Link.collectiveEfficiency, fitted on H100 NVLink). Start-up: latency x ceil(log2 n) (NCCL picks
 * tree/NVLS algorithms when latency dominates), never below the link's per-call floor.
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

export function collectiveSeconds(kind: CollectiveKind, bytes: number, n: number, link: Link): number {
  if (bytes <= 0) return 0;
  if (n <= 1 && kind !== 'send-recv') return 0;
  const efficiency = link.collectiveEfficiency?.[kind] ?? 1;
  const steps = kind === 'send-recv' ? 1 : Math.ceil(Math.log2(n));
  const seconds = link.latencySeconds * steps + collectiveWireBytes(kind, bytes, n) / (link.bandwidthBytesPerSecond * efficiency);
  return Math.max(link.floorSeconds ?? 0, seconds);
}
