/**
 * A cluster file as the page reads it (a dropped or opened .json): a measured profile (tools/profile-cluster),
 * fitted by profile.ts, or a Cluster as written by Meshplan (checked by validateCluster). A value either way.
 */
import { clusterFromProfile, isClusterProfile, type ClusterProfile } from './clusterProfile.ts';
import { validateCluster } from '../cluster/spec.ts';
import type { Cluster } from '../cluster/types.ts';

export type ImportClusterResult =
  | { readonly ok: true; readonly cluster: Cluster; readonly notes: readonly string[] }
  | { readonly ok: false; readonly reason: string };

export function importClusterText(text: string, source: string): ImportClusterResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `${source}: not valid JSON (${err instanceof Error ? err.message : String(err)})` };
  }
  if (isClusterProfile(data)) {
    const r = clusterFromProfile(data as ClusterProfile);
    return typeof r === 'string' ? { ok: false, reason: `${source}: ${r}` } : { ok: true, cluster: r.cluster, notes: r.notes };
  }
  const c = data as Partial<Cluster> | null;
  if (!c || typeof c !== 'object' || typeof c.name !== 'string' || !Array.isArray(c.nodes) || !c.intraNode || !c.interNode) {
    return { ok: false, reason: `${source}: neither a cluster profile (format "meshplan.cluster-profile") nor a cluster (name, nodes, intraNode, interNode)` };
  }
  const problems = validateCluster(c as Cluster);
  return problems.length ? { ok: false, reason: `${source}: ${problems.join('; ')}` } : { ok: true, cluster: c as Cluster, notes: [] };
}
