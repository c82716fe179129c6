/**
 * The space of meshes the stage DP chooses from (alpa.md §3): per GPU group the sub-mesh shapes (nodes, GPUs per
 * node), each viewed as one or more logical (n0, n1) meshes, each priced by one or more strategy sources.
 */
import { alpaShapes, gpuGroups, logicalMeshShapes } from '../cluster/submeshes.ts';
import { logicalMesh } from '../cluster/topology.ts';
import type { Cluster, Link, SubMesh } from '../cluster/types.ts';

/** One logical mesh of one sub-mesh shape. */
export interface MeshChoice {
  readonly id: number;
  /** Index of the sub-mesh shape (the DP's mesh). */
  readonly shape: number;
  readonly logical: readonly [number, number];
  /** Which strategy source prices this mesh (e.g. 'ilp' or 'template'); one MeshChoice per variant. */
  readonly variant: string;
  readonly links: readonly [Link, Link];
  /** The sub-mesh at the first node of its group: where the intra-op pass is asked to solve. */
  readonly canonical: SubMesh;
}

export interface SubmeshChoice {
  readonly index: number;
  readonly group: number;
  readonly gpu: string;
  readonly shape: readonly [number, number];
  readonly devices: number;
  readonly meshes: readonly MeshChoice[];
}

export interface MeshSpace {
  readonly groups: readonly { readonly gpu: string; readonly nodeStart: number; readonly nodes: number; readonly gpusPerNode: number; readonly devices: number }[];
  readonly submeshes: readonly SubmeshChoice[];
  readonly meshes: readonly MeshChoice[];
}

export interface MeshFilter {
  /** Keep only sub-meshes covering the whole cluster (intra-only). */
  readonly wholeClusterOnly?: boolean;
  /** Also (n, M) for n not a power of two (the paper's space; Alpa's default is powers of two). Whole-cluster
   * sub-meshes are always kept. */
  readonly allNodeCounts?: boolean;
  /** Keep a sub-mesh shape (nodes, GPUs per node). */
  readonly submesh?: (shape: readonly [number, number]) => boolean;
  /**
   * Strategy sources per logical mesh (default ['default']); `variantsOf` narrows them per mesh. The DP picks the
   * best variant per stage as it picks the logical mesh.
   */
  readonly variants?: readonly string[];
  readonly variantsOf?: (logical: readonly [number, number], devices: number, total: number) => readonly string[];
  /** Keep a logical shape (default: n1 <= GPUs per node, Alpa's "single_node_model_parallel"). */
  readonly logical?: (logical: readonly [number, number], gpusPerNode: number) => boolean;
}

export function buildMeshSpace(cluster: Cluster, filter: MeshFilter = {}): MeshSpace {
  const groups = gpuGroups(cluster).map((g) => ({ ...g, devices: g.nodes * g.gpusPerNode }));
  const total = groups.reduce((s, g) => s + g.devices, 0);
  const submeshes: SubmeshChoice[] = [];
  const meshes: MeshChoice[] = [];
  // Alpa's "single_node_model_parallel": the model-parallel axis 1 a power of two inside one node.
  const keep = filter.logical ?? ((l: readonly [number, number], m: number) => l[1] <= m && m % l[1] === 0);
  groups.forEach((g, gi) => {
    for (const [nodes, gpus] of alpaShapes(g.nodes, g.gpusPerNode)) {
      const devices = nodes * gpus;
      if (!filter.allNodeCounts && nodes & (nodes - 1) && devices !== total) continue;
      if (filter.wholeClusterOnly && devices !== total) continue;
      if (filter.submesh && !filter.submesh([nodes, gpus])) continue;
      const canonical: SubMesh = { nodeStart: g.nodeStart, nodes, gpuStart: 0, gpusPerNode: gpus };
      const index = submeshes.length;
      const own: MeshChoice[] = [];
      for (const shape of logicalMeshShapes({ nodes, gpusPerNode: gpus })) {
        if (!keep(shape, g.gpusPerNode)) continue;
        const lm = logicalMesh(cluster, canonical, shape);
        const variants = filter.variantsOf?.(shape, devices, total) ?? filter.variants ?? ['default'];
        for (const variant of variants) {
          const m: MeshChoice = { id: meshes.length, shape: index, logical: shape, variant, links: lm.axisLinks, canonical };
          own.push(m);
          meshes.push(m);
        }
      }
      if (own.length) submeshes.push({ index, group: gi, gpu: g.gpu, shape: [nodes, gpus], devices, meshes: own });
    }
  });
  return { groups, submeshes, meshes };
}
