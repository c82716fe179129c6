/** Where devices sit: GPU specs by name, sub-mesh device lists, and the link each logical mesh axis runs over. */
import { ownValue } from '../boundary/lookup.ts';
import { spannedLink } from './fabric.ts';
import { GPU_PRESETS } from './presets.ts';
import type { Cluster, GpuSpec, Link, LogicalMesh, SubMesh } from './types.ts';

/** A GPU type by name: the cluster's own specs first, then the presets (validate.ts refuses names in neither). Kept
 * apart from validate.ts, whose schemas load zod: the intra-op pass needs this alone (pool/ilpThread.ts). */
export function lookupGpuSpec(c: Pick<Cluster, 'gpuSpecs'>, name: string): GpuSpec | undefined {
  return ownValue(c.gpuSpecs, name) ?? ownValue(GPU_PRESETS, name);
}

export function gpuSpec(cluster: Cluster, name: string): GpuSpec {
  const spec = lookupGpuSpec(cluster, name);
  if (!spec) throw new Error(`unknown GPU type '${name}' (validateCluster reports it before planning)`);
  return spec;
}

export function totalDevices(cluster: Cluster): number {
  return cluster.nodes.reduce((s, n) => s + n.gpus, 0);
}

/** First global device index of each node, per nodes array (clusters are immutable values). */
const nodeBases = new WeakMap<readonly Cluster['nodes'][number][], Int32Array>();

function basesOf(cluster: Cluster): Int32Array {
  let b = nodeBases.get(cluster.nodes);
  if (!b) {
    b = new Int32Array(cluster.nodes.length + 1);
    cluster.nodes.forEach((n, i) => { b![i + 1] = b![i] + n.gpus; });
    nodeBases.set(cluster.nodes, b);
  }
  return b;
}

/** Global device index of (node, gpu): devices are numbered node by node. */
export function deviceIndex(cluster: Cluster, node: number, gpu: number): number {
  return basesOf(cluster)[node] + gpu;
}

export function submeshDevices(cluster: Cluster, m: SubMesh): number[] {
  const bases = basesOf(cluster);
  const out: number[] = [];
  for (let n = m.nodeStart; n < m.nodeStart + m.nodes; n++) {
    for (let g = m.gpuStart; g < m.gpuStart + m.gpusPerNode; g++) out.push(bases[n] + g);
  }
  return out;
}

/** The GPU type of a sub-mesh (sub-meshes never mix types: see submeshes.ts). */
export function submeshGpu(cluster: Cluster, m: SubMesh): GpuSpec {
  return gpuSpec(cluster, cluster.nodes[m.nodeStart].gpu);
}

/**
 * Links of a logical (n0, n1) view of a sub-mesh. Axis 1 takes consecutive devices (inside a node when n1 divides
 * the GPUs per node), axis 0 the rest. An axis whose groups cross nodes runs at the inter-node bandwidth of a node
 * divided by the rings of that axis that leave each node at once.
 */
export function logicalMesh(cluster: Cluster, m: SubMesh, shape: readonly [number, number]): LogicalMesh {
  const [n0, n1] = shape;
  const g = m.gpusPerNode;
  if (n0 * n1 !== m.nodes * g) throw new Error(`logical mesh ${n0}x${n1} does not cover a ${m.nodes}x${g} sub-mesh`);
  const intra: Link = cluster.nodes[m.nodeStart]?.intraNode ?? cluster.intraNode;
  const inter = (ringsPerNode: number): Link => ({
    ...cluster.interNode,
    bandwidthBytesPerSecond: cluster.interNode.bandwidthBytesPerSecond / Math.max(1, ringsPerNode),
  });
  // axis 1: consecutive devices; inside a node when n1 <= g, else groups of n1 / g consecutive nodes.
  let axis1: Link = n1 <= g ? intra : inter(1);
  if (n1 > g) {
    const span = Math.ceil(n1 / g);
    for (let k = m.nodeStart; k < m.nodeStart + m.nodes; k += span) {
      const l = spannedLink(cluster, inter(1), k, span, span);
      if (l.bandwidthBytesPerSecond < axis1.bandwidthBytesPerSecond || l.latencySeconds > axis1.latencySeconds) axis1 = l;
    }
  }
  // axis 0: stride n1. It stays in one node when the whole mesh fits a node; else its groups span the sub-mesh's
  // nodes (one member per node when n1 >= g, every node otherwise).
  let axis0: Link;
  if (m.nodes === 1) axis0 = intra;
  else if (n1 >= g) axis0 = spannedLink(cluster, inter(g), m.nodeStart, m.nodes, n0); // each GPU of a node is on its own axis-0 ring
  else axis0 = spannedLink(cluster, inter(n1), m.nodeStart, m.nodes, m.nodes);         // n1 rings per node leave it
  return { shape: [n0, n1], axisLinks: [axis0, axis1] };
}
