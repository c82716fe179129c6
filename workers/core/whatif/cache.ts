/**
 * Solves shared across the plans of a what-if (the points of a sweep, the columns of a compare, Learn's three
 * plans): the intra-op pass's answer depends on the graph, the ops, the GPU and the links of the logical mesh's
 * axes, not on the rest of the cluster, so a 1x8 sub-mesh of a 2-node and of an 8-node p3.16xlarge cluster share
 * their solves. Graphs are told apart by content (a worker receives a fresh copy of the same graph on every call).
 * The cache is the caller's (one per sweep or per worker), never module state.
 */
import { gpuSpec, logicalMesh } from '../cluster/topology.ts';
import { hashString, structuralKey } from '../ir/hash.ts';
import type { ModelGraph } from '../ir/types.ts';
import type { IntraInput } from '../intra/types.ts';
import type { ShardingPlan } from '../intra/types.ts';

export type IntraSolve = (input: IntraInput) => Promise<ShardingPlan>;

export interface IntraCache {
  readonly solve: IntraSolve;
  /** Solves asked for, and answered from the cache. */
  readonly stats: () => { readonly calls: number; readonly hits: number };
}

/** What an intra-op solve depends on besides the graph, as a string. */
export function intraKey(input: IntraInput): string {
  const { graph: _g, cluster, submesh, ...rest } = input;
  const mesh = logicalMesh(cluster, submesh, input.meshShape);
  const gpu = gpuSpec(cluster, cluster.nodes[submesh.nodeStart].gpu);
  return JSON.stringify([rest, gpu, mesh.axisLinks]);
}

/** Solves kept at most (a 16-point GPT-6.7B sweep makes 162 distinct ones; one answer is a unit's per-operator
 * sharding, tens of kB); past it the oldest go first (Map keeps insertion order). */
export const INTRA_CACHE_ENTRIES = 1000;

export function cachingIntra(inner: IntraSolve, maxEntries = INTRA_CACHE_ENTRIES): IntraCache {
  const fingerprints = new WeakMap<ModelGraph, string>();
  const fingerprint = (g: ModelGraph): string => {
    let f = fingerprints.get(g);
    if (!f) fingerprints.set(g, (f = hashString(`${g.name}|${g.batch}|${g.ops.length}|${structuralKey(g, g.ops.map((o) => o.id))}`)));
    return f;
  };
  const table = new Map<string, Promise<ShardingPlan>>();
  let calls = 0;
  let hits = 0;
  const solve: IntraSolve = (input) => {
    calls++;
    const key = `${fingerprint(input.graph)}|${intraKey(input)}`;
    const held = table.get(key);
    if (held) { hits++; return held; }
    const answer = inner(input);
    table.set(key, answer);
    if (table.size > maxEntries) table.delete(table.keys().next().value!);
    // A failed solve is not kept: the next plan asks again.
    answer.catch(() => table.delete(key));
    return answer;
  };
  return { solve, stats: () => ({ calls, hits }) };
}
