/**
 * Heterogeneous planning time (issue 17): the searched plan of a GPT model on 256 x H100 + 64 x A100 (the issue's
 * dgx-h100:32x8+dgx-a100:8x8, which hung), on 8x8 + 8x8 (19 s before), and on 2,048 nodes of three GPU types, with
 * the intra-op ILP and with the template sharding. Median of RUNS wall times of plan() in process; also the stage
 * DP's device states (sum over groups now, product before). Prints one JSON object.
 *
 *   npx tsx bench/hetero/run.ts
 */
import { parseClusterSpec } from '../../workers/core/cluster/spec.ts';
import type { Cluster } from '../../workers/core/cluster/types.ts';
import { defaultPlanOptions, plan, type PlanDeps } from '../../workers/core/plan.ts';
import { gpuGroups } from '../../workers/core/cluster/submeshes.ts';
import { zooModel } from '../../workers/core/zoo/index.ts';

const RUNS = 3;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** 2,048 nodes: 1,024 x H100, 768 x A100-80GB, 256 x V100 (8 GPUs each), one network. */
function threeTypes(): Cluster {
  const base = parseClusterSpec('dgx-h100:1x8');
  const part = (gpu: string, n: number) => Array.from({ length: n }, () => ({ gpu, gpus: 8 }));
  return { ...base, name: '1024xH100+768xA100+256xV100', nodes: [...part('H100-SXM', 1024), ...part('A100-80GB', 768), ...part('V100-16GB', 256)] };
}

const cases: { name: string; model: string; cluster: Cluster; intra: 'ilp' | 'manual' }[] = [
  { name: '256xH100+64xA100 gpt-2.6B ilp', model: 'gpt-2.6B', cluster: parseClusterSpec('dgx-h100:32x8+dgx-a100:8x8'), intra: 'ilp' },
  { name: '256xH100+64xA100 gpt-2.6B manual', model: 'gpt-2.6B', cluster: parseClusterSpec('dgx-h100:32x8+dgx-a100:8x8'), intra: 'manual' },
  { name: '64xH100+64xA100 gpt-350M ilp', model: 'gpt-350M', cluster: parseClusterSpec('dgx-h100:8x8+dgx-a100:8x8'), intra: 'ilp' },
  { name: '2048 nodes, 3 GPU types, gpt-6.7B manual', model: 'gpt-6.7B', cluster: threeTypes(), intra: 'manual' },
];

const out: Record<string, unknown> = { runs: RUNS };
for (const c of cases) {
  const graph = zooModel(c.model);
  const deps: PlanDeps = c.intra === 'manual' ? { intra: 'manual' } : {};
  const times: number[] = [];
  let summary = '';
  for (let k = 0; k < RUNS; k++) {
    const t0 = performance.now();
    const r = await plan(graph, c.cluster, defaultPlanOptions(graph), undefined, undefined, deps);
    times.push((performance.now() - t0) / 1000);
    summary = r.ok ? `${r.plan.stages.length} stages, step ${r.plan.stepSeconds.toFixed(3)} s${r.plan.feasible ? '' : ' (infeasible)'}` : `refused: ${r.reason}`;
  }
  const devices = gpuGroups(c.cluster).map((g) => g.nodes * g.gpusPerNode);
  out[c.name] = {
    medianSeconds: Number(median(times).toFixed(2)), seconds: times.map((t) => Number(t.toFixed(2))), plan: summary,
    dpDeviceStates: devices.reduce((a, b) => a + b, 0) + 1, dpDeviceStatesBefore: devices.reduce((a, b) => a * (b + 1), 1),
  };
}
console.log(JSON.stringify(out));
