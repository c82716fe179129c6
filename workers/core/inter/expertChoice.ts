/**
 * Expert parallelism as a per-stage choice (issue 14): which expert-parallel degrees the search offers on a logical
 * mesh, as template mesh variants, and the link an expert group smaller than the data-parallel axis runs its
 * all-to-alls on (priced by the levels the group spans, cluster/topology.ts logicalMesh).
 */
import { logicalMesh } from '../cluster/topology.ts';
import type { Cluster, Link, SubMesh } from '../cluster/types.ts';
import type { ModelGraph, Tensor } from '../ir/types.ts';
import { isExpertDot } from './expertRegion.ts';

/** Expert capacity over tokens x top_k / experts when the options do not say (GShard's and Switch's 1.25). */
export const DEFAULT_CAPACITY_FACTOR = 1.25;

/** Experts per MoE layer: the expert dim of the first expert weight (0 without experts). */
export function expertCount(graph: ModelGraph, tensors: ReadonlyMap<string, Tensor>): number {
  for (const op of graph.ops) {
    if (!isExpertDot(op, tensors) || op.attrs.kind !== 'dot') continue;
    const p = op.inputs.findIndex((t) => tensors.get(t)?.kind === 'parameter');
    const dims = p === 0 ? op.attrs.lhsBatch : op.attrs.rhsBatch;
    return tensors.get(op.inputs[p])!.shape[dims[0]];
  }
  return 0;
}

/** The variant name of an expert-parallel degree on axis 0 of n0 devices. */
export function expertVariant(degree: number, n0: number): string {
  return degree === 1 ? 'template-dense' : degree === n0 ? 'template' : `template-ep${degree}`;
}

/**
 * Degrees the search tries on a (n0, n1) mesh, largest first: every divisor of n0 that divides the experts, from
 * experts over the whole data-parallel axis to 1 (experts replicated, split by tensor parallelism). Each is a choice
 * `--ep d` can force, so the search offers them all: offering only the whole axis, one node's share and 1 left
 * MoE-10B's 4-GPU stages without EP 2 (fp16-mixed on 2x8: 10.36 s searched against 9.61 s with --ep 2). Only MoE
 * models have these variants; each is a template profile (no ILP solve). A forced degree that does not divide n0
 * leaves the mesh out.
 */
export function expertVariants(logical: readonly [number, number], experts: number, forced?: number): string[] {
  const [n0] = logical;
  if (forced !== undefined) return n0 % forced === 0 ? [expertVariant(forced, n0)] : [];
  const degrees: number[] = [];
  for (let d = n0; d >= 1; d--) if (n0 % d === 0 && experts % d === 0) degrees.push(d);
  return degrees.map((d) => expertVariant(d, n0));
}

/** The axis-0 link of an expert group of `degree` consecutive axis-0 positions of a (n0, n1) mesh on `sub`. */
export function expertGroupLink(cluster: Cluster, sub: SubMesh, logical: readonly [number, number], degree: number): Link {
  const devices = degree * logical[1];
  const group: SubMesh = devices <= sub.gpusPerNode
    ? { ...sub, nodes: 1, gpusPerNode: devices }
    : { ...sub, nodes: Math.ceil(devices / sub.gpusPerNode) };
  return logicalMesh(cluster, group, [group.nodes * group.gpusPerNode / logical[1], logical[1]]).axisLinks[0];
}
