/**
 * What-if sweep benchmark (issue 11): a 16-point sweep of GPT-6.7B on p3.16xlarge:2x8 over inter-node bandwidth,
 * each point the searched plan and the chart's three baselines (core/whatif/point.ts planPoint), in this process
 * with one HiGHS solver behind the what-if solve cache, as `meshplan sweep` runs it. Runs the sweep RUNS times
 * (each with a fresh cache and solver) and prints one JSON object: median wall and CPU seconds of the sweep,
 * median seconds per point, and the cache's solves and hits. CPU seconds are the figure to compare on a shared
 * machine (wall time there includes other processes).
 *
 *   npx tsx bench/whatif/run.ts
 */
import { parseClusterSpec } from '../../workers/core/cluster/spec.ts';
import { createHighsSolver, runIntra } from '../../workers/core/intra/index.ts';
import { defaultPlanOptions } from '../../workers/core/plan.ts';
import { cachingIntra } from '../../workers/core/whatif/cache.ts';
import { planPoint, structureChanges } from '../../workers/core/whatif/point.ts';
import { checkSweep } from '../../workers/core/whatif/sweep.ts';
import { zooModel } from '../../workers/core/zoo/index.ts';

const RUNS = 3;
const VALUES = [5, 10, 15, 20, 25, 30, 40, 50, 75, 100, 150, 200, 300, 400, 600, 800];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const graph = zooModel('gpt-6.7B');
const cluster = parseClusterSpec('p3.16xlarge:2x8');
const checked = checkSweep({ model: { kind: 'graph', graph }, cluster, options: defaultPlanOptions(graph) }, { variable: 'inter-gbps', values: VALUES });
if (!checked.ok) throw new Error(checked.reason);

const walls: number[] = [];
const cpus: number[] = [];
const perPoint: number[] = [];
let stats = { calls: 0, hits: 0 };
let changes: string[] = [];
for (let run = 0; run < RUNS; run++) {
  const solver = createHighsSolver();
  const cache = cachingIntra((input) => runIntra(input, solver));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const points = [];
  for (const [i, at] of checked.value.entries()) {
    const t = performance.now();
    const p = await planPoint(graph, at.cluster, at.options, { intra: cache.solve });
    perPoint.push((performance.now() - t) / 1000);
    points.push({ value: VALUES[i], searched: p.series.find((s) => s.kind === 'searched') });
  }
  walls.push((performance.now() - t0) / 1000);
  const cpu = process.cpuUsage(cpu0);
  cpus.push((cpu.user + cpu.system) / 1e6);
  stats = cache.stats();
  changes = structureChanges(points).map((c) => `${c.value}: ${c.text}`);
}

const round = (x: number) => Math.round(x * 1000) / 1000;
process.stdout.write(JSON.stringify({
  bench: 'whatif-sweep', model: 'gpt-6.7B', cluster: 'p3.16xlarge:2x8', variable: 'inter-gbps', points: VALUES.length, runs: RUNS,
  series: ['searched', 'megatron', 'intra-only', 'inter-only'],
  medianWallSeconds: round(median(walls)), medianCpuSeconds: round(median(cpus)), medianPointSeconds: round(median(perPoint)),
  maxPointSeconds: round(Math.max(...perPoint)), intraSolveRequests: stats.calls, intraSolvesFromCache: stats.hits, changes,
}) + '\n');
