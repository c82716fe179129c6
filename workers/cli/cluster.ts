/**
 * `--cluster` argument shared by every command: a preset spec (`p3.16xlarge:8x8`, `dgx-h100:1x2`, parts joined by
 * '+'), a path to a JSON Cluster (workers/core/cluster/types.ts) checked by core/cluster/validate.ts, or a path
 * to a measured profile (tools/profile-cluster), fitted by workers/core/cost/clusterProfile.ts (its notes on stderr).
 */
import { CliError } from './args.ts';
import { echo, summarise } from '../core/boundary/text.ts';
import { ClusterSpecError, parseClusterSpec, validateCluster } from '../core/cluster/spec.ts';
import { importClusterText } from '../core/cost/importCluster.ts';
import { MAX_CLUSTER_JSON_BYTES } from '../core/cluster/validate.ts';
import type { Cluster } from '../core/cluster/types.ts';
import { readBounded } from './files.ts';

/** Parse a cluster JSON text (a Cluster or a measured profile); `source` names the file in messages. */
export function clusterFromJson(text: string, source: string): Cluster {
  const r = importClusterText(text, source);
  if (!r.ok) throw new CliError(r.reason);
  for (const note of r.notes) process.stderr.write(`meshplan: ${echo(source)}: ${note}\n`);
  return r.cluster;
}

export async function loadClusterArg(spec: string): Promise<Cluster> {
  if (spec.endsWith('.json') || spec.includes('/')) {
    const bytes = await readBounded(spec, MAX_CLUSTER_JSON_BYTES, 'cluster file');
    return clusterFromJson(new TextDecoder().decode(bytes), spec);
  }
  try {
    const cluster = parseClusterSpec(spec);
    const problems = validateCluster(cluster);
    if (problems.length) throw new CliError(`--cluster ${echo(spec)}: ${summarise(problems)}`);
    return cluster;
  } catch (err) {
    if (err instanceof ClusterSpecError) throw new CliError(`--cluster: ${err.message}`);
    throw err;
  }
}
