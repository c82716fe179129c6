/**
 * Pricing by the network level a group spans (Cluster.fabric): NVLink inside a node, interNode under one leaf
 * group, and the spine between leaf groups. A ring collective whose group has m member nodes under each of the
 * leaves it spans crosses each leaf's uplink twice per ring, while every node of the leaf runs such rings at once:
 * the uplink (1 / oversubscription of the downlinks) keeps pace while m >= 2 x oversubscription, and slows the
 * ring by 2 x oversubscription / m below that. A cross-stage send between leaf groups moves every node's data over
 * the uplinks at once: slowed by the full oversubscription.
 */
import type { Cluster, Fabric, Link, SubMesh } from './types.ts';

/** Leaf groups that nodes [start, start + count) touch. */
export function leavesSpanned(f: Fabric, start: number, count: number): number {
  return Math.floor((start + count - 1) / f.nodesPerLeaf) - Math.floor(start / f.nodesPerLeaf) + 1;
}

/**
 * The link of a collective whose group's members sit in `groupNodes` nodes spread over nodes [start, start + span):
 * `base` when they share one leaf group, else slowed by the spine (module comment).
 */
export function spannedLink(cluster: Cluster, base: Link, start: number, span: number, groupNodes: number): Link {
  const f = cluster.fabric;
  if (!f) return base;
  const leaves = leavesSpanned(f, start, span);
  if (leaves <= 1) return base;
  const membersPerLeaf = groupNodes / leaves;
  const slowdown = Math.max(1, (2 * f.spineOversubscription) / membersPerLeaf);
  return { ...base, bandwidthBytesPerSecond: base.bandwidthBytesPerSecond / slowdown, latencySeconds: base.latencySeconds + f.spineLatencySeconds };
}

/** Whether two placed sub-meshes sit under one and the same leaf group (true without a fabric). */
export function sameLeaf(cluster: Cluster, a: SubMesh, b: SubMesh): boolean {
  const f = cluster.fabric;
  if (!f) return true;
  const leaf = (m: SubMesh) => (leavesSpanned(f, m.nodeStart, m.nodes) === 1 ? Math.floor(m.nodeStart / f.nodesPerLeaf) : -1);
  return leaf(a) >= 0 && leaf(a) === leaf(b);
}

/** Whether a whole-node sub-mesh of `nodes` nodes at `start` respects the leaf groups: inside one when it fits
 * one, else starting at a leaf boundary (the placement the planner priced it at). */
export function leafAligned(f: Fabric | undefined, start: number, nodes: number): boolean {
  if (!f) return true;
  return nodes <= f.nodesPerLeaf ? leavesSpanned(f, start, nodes) === 1 : start % f.nodesPerLeaf === 0;
}
