/**
 * Sub-mesh choices for the inter-op pass (Alpa §5.2): shapes (1, 1), (1, 2), (1, 4) ... (1, M) inside one node and
 * (n, M) for whole nodes, so that sub-meshes can always tile the cluster. In a heterogeneous cluster a sub-mesh
 * stays inside one group of consecutive nodes of the same GPU type and count. Logical mesh shapes: every 2-D
 * factorisation of a sub-mesh's devices.
 */
import type { Cluster, SubMesh } from './types.ts';

/** Consecutive nodes with one GPU type and GPU count. */
export interface GpuGroup {
  readonly gpu: string;
  readonly nodeStart: number;
  readonly nodes: number;
  readonly gpusPerNode: number;
}

export interface SubmeshShape {
  readonly nodes: number;
  readonly gpusPerNode: number;
  /** GPU type of the group the shape belongs to. */
  readonly gpu: string;
}

export function gpuGroups(cluster: Cluster): GpuGroup[] {
  const groups: GpuGroup[] = [];
  cluster.nodes.forEach((n, i) => {
    const last = groups[groups.length - 1];
    if (last && last.gpu === n.gpu && last.gpusPerNode === n.gpus) {
      groups[groups.length - 1] = { ...last, nodes: last.nodes + 1 };
    } else {
      groups.push({ gpu: n.gpu, nodeStart: i, nodes: 1, gpusPerNode: n.gpus });
    }
  });
  return groups;
}

/**
 * Most device counts the stage DP tracks per GPU group (its state is the devices left): beyond this many devices a
 * group's sub-meshes are whole blocks of `stageNodeQuantum` nodes, so the DP's cost stays flat in the cluster size.
 */
export const MAX_DEVICE_STATES = 128;

/** Nodes a stage's sub-mesh is a multiple of: 1 up to MAX_DEVICE_STATES devices, then the smallest power of two
 * that keeps the number of node blocks within MAX_DEVICE_STATES (16 nodes of 8 GPUs for 2,048 nodes). */
export function stageNodeQuantum(nodes: number, gpusPerNode: number): number {
  let q = 1;
  while (nodes / q > MAX_DEVICE_STATES) q *= 2;
  return q;
}

/**
 * Alpa's shapes for an N x M block: (1, 2^k) for 2^k < M, then (n, M) for n = 1..N. A group of more than
 * MAX_DEVICE_STATES devices keeps only whole-node shapes whose node count is a multiple of stageNodeQuantum, and
 * the whole group: a pipeline stage on part of one node of a cluster that large is not worth its DP states.
 */
export function alpaShapes(nodes: number, gpusPerNode: number): [number, number][] {
  const out: [number, number][] = [];
  if (nodes * gpusPerNode <= MAX_DEVICE_STATES) {
    for (let g = 1; g < gpusPerNode; g *= 2) out.push([1, g]);
    for (let n = 1; n <= nodes; n++) out.push([n, gpusPerNode]);
    return out;
  }
  const q = stageNodeQuantum(nodes, gpusPerNode);
  for (let n = q; n <= nodes; n += q) out.push([n, gpusPerNode]);
  if (nodes % q !== 0) out.push([nodes, gpusPerNode]);
  return out;
}

/** Every sub-mesh shape of the cluster, per GPU group, without duplicates (same gpu, nodes and GPUs). */
export function submeshShapes(cluster: Cluster): SubmeshShape[] {
  const seen = new Set<string>();
  const out: SubmeshShape[] = [];
  for (const g of gpuGroups(cluster)) {
    for (const [nodes, gpusPerNode] of alpaShapes(g.nodes, g.gpusPerNode)) {
      const key = `${g.gpu}:${nodes}x${gpusPerNode}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ nodes, gpusPerNode, gpu: g.gpu });
    }
  }
  return out;
}

/** Where sub-meshes of `shape` can sit: aligned rectangles inside a group of its GPU type, in cluster order. */
export function submeshPlacements(cluster: Cluster, shape: SubmeshShape): SubMesh[] {
  const out: SubMesh[] = [];
  for (const g of gpuGroups(cluster)) {
    if (g.gpu !== shape.gpu || shape.gpusPerNode > g.gpusPerNode || shape.nodes > g.nodes) continue;
    for (let node = g.nodeStart; node + shape.nodes <= g.nodeStart + g.nodes; node += shape.nodes) {
      for (let gpu = 0; gpu + shape.gpusPerNode <= g.gpusPerNode; gpu += shape.gpusPerNode) {
        out.push({ nodeStart: node, nodes: shape.nodes, gpuStart: gpu, gpusPerNode: shape.gpusPerNode });
      }
    }
  }
  return out;
}

/** Logical (n0, n1) views of a sub-mesh: all factorisations of its device count, n0 ascending. */
export function logicalMeshShapes(shape: { readonly nodes: number; readonly gpusPerNode: number }): [number, number][] {
  const devices = shape.nodes * shape.gpusPerNode;
  const out: [number, number][] = [];
  for (let n0 = 1; n0 <= devices; n0++) if (devices % n0 === 0) out.push([n0, devices / n0]);
  return out;
}
