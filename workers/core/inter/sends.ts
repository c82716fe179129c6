/**
 * Cross-stage sends: the boundary activations (and their gradients) over the link between two stages' sub-meshes,
 * once placed (sendSeconds) and as the stage DP expects them before placement (sendEstimate).
 */
import type { Cluster } from '../cluster/types.ts';
import type { SubmeshChoice } from './meshSpace.ts';

/**
 * Seconds to move `bytes` out of a stage on `sub` to the next one; `crossNode` says whether the two placed
 * sub-meshes sit in different nodes. Before placement (sendEstimate) the DP prices the expected link: placement
 * goes in pipeline order, so a (1, k) sub-mesh on a cluster of several nodes ends at a node boundary with
 * probability k / M, a whole-node one always.
 */
export function sendSeconds(cluster: Cluster, sub: SubmeshChoice, bytes: number, crossNode: boolean, crossLeaf = false): number {
  if (bytes <= 0) return 0;
  if (!crossNode) {
    const l = cluster.intraNode;
    return l.latencySeconds + bytes / (l.bandwidthBytesPerSecond * Math.max(1, sub.devices));
  }
  const l = cluster.interNode;
  // Between leaf groups every node of the stage sends over the oversubscribed uplinks at once (cluster/fabric.ts).
  const spine = crossLeaf && cluster.fabric ? cluster.fabric : undefined;
  const bandwidth = l.bandwidthBytesPerSecond / (spine?.spineOversubscription ?? 1);
  return l.latencySeconds + (spine?.spineLatencySeconds ?? 0) + bytes / (bandwidth * Math.max(1, sub.shape[0]));
}

/** The expected send before placement: a stage ends at a node (leaf group) boundary with probability its share of
 * a node (leaf group), always when it fills one. */
export function sendEstimate(cluster: Cluster, sub: SubmeshChoice, bytes: number, gpusPerNode: number): number {
  if (cluster.nodes.length <= 1) return sendSeconds(cluster, sub, bytes, false);
  const pCross = sub.shape[0] > 1 || sub.shape[1] >= gpusPerNode ? 1 : sub.shape[1] / gpusPerNode;
  const leaf = cluster.fabric?.nodesPerLeaf;
  const pLeaf = leaf && cluster.nodes.length > leaf ? Math.min(1, (pCross * sub.shape[0]) / leaf) : 0;
  return (pCross - pLeaf) * sendSeconds(cluster, sub, bytes, true) + pLeaf * sendSeconds(cluster, sub, bytes, true, true)
    + (1 - pCross) * sendSeconds(cluster, sub, bytes, false);
}
