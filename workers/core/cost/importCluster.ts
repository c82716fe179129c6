/**
 * A cluster file as the page and the CLI read it (a dropped or opened .json, --cluster file.json): a measured profile
 * (tools/profile-cluster), fitted by clusterProfile.ts, or a Cluster as written by Meshplan; either way checked by
 * cluster/validate.ts (shape, ranges, GPU types as own keys) with the problems summarised. A value either way.
 */
import { clusterFromProfile, isClusterProfile, type ClusterProfile } from './clusterProfile.ts';
import { echo, oneLine, summarise } from '../boundary/text.ts';
import { clusterFromValue, MAX_CLUSTER_JSON_BYTES, validateCluster } from '../cluster/validate.ts';
import type { Cluster } from '../cluster/types.ts';

export type ImportClusterResult =
  | { readonly ok: true; readonly cluster: Cluster; readonly notes: readonly string[] }
  | { readonly ok: false; readonly reason: string };

export function importClusterText(text: string, source: string): ImportClusterResult {
  const where = echo(source);
  if (text.length > MAX_CLUSTER_JSON_BYTES) {
    return { ok: false, reason: `${where}: ${text.length} characters; a cluster file is at most ${MAX_CLUSTER_JSON_BYTES} (2,048 nodes fit in far less)` };
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `${where}: not valid JSON (${oneLine(err instanceof Error ? err.message : String(err), 200)})` };
  }
  if (isClusterProfile(data)) {
    const r = clusterFromProfile(data as ClusterProfile);
    if (typeof r === 'string') return { ok: false, reason: `${where}: ${oneLine(r)}` };
    const problems = validateCluster(r.cluster);
    return problems.length ? { ok: false, reason: `${where}: the fitted cluster: ${summarise(problems)}` } : { ok: true, cluster: r.cluster, notes: r.notes.map((n) => oneLine(n)) };
  }
  const c = data as Partial<Cluster> | null;
  if (!c || typeof c !== 'object' || Array.isArray(c) || !('nodes' in c)) {
    return { ok: false, reason: `${where}: neither a cluster profile (format "meshplan.cluster-profile") nor a cluster (name, nodes, intraNode, interNode)` };
  }
  const r = clusterFromValue(data);
  return r.ok ? { ok: true, cluster: r.cluster, notes: [] } : { ok: false, reason: `${where}: ${r.message}` };
}
