/**
 * Alpha-beta cost of collectives on one mesh axis (DESIGN.md "Cost model"). `bytes` is the full message
 * (the whole tensor being reduced / gathered), n the number of devices on the axis.
 */
import type { Link } from '../cluster/types.ts';
import type { CollectiveKind } from '../plan/types.ts';

export function collectiveSeconds(kind: CollectiveKind, bytes: number, n: number, link: Link): number {
  if (n <= 1 || bytes <= 0) return 0;
  const b = link.bandwidthBytesPerSecond;
  const a = link.latencySeconds;
  switch (kind) {
    case 'all-reduce': return a * 2 * (n - 1) + (2 * (n - 1) / n) * bytes / b;
    case 'all-gather':
    case 'reduce-scatter': return a * (n - 1) + ((n - 1) / n) * bytes / b;
    case 'all-to-all': return a * (n - 1) + ((n - 1) / (n * n)) * bytes / b;
    case 'send-recv': return a + bytes / b;
  }
}
