/**
 * `npx tsx bench/scale/run.ts [--repeat N] [--quick]`: planning at the scale of real LLM training, through the CLI
 * as a user runs it (`node bin/meshplan.mjs plan ... --json`, the intra-op ILP on, one process per run, timed with
 * /usr/bin/time for wall seconds, CPU seconds (user + sys) and peak resident memory). Prints one JSON object: per
 * case the medians of N runs (default 3) of the CLI's wall and CPU time, the search time plan() reports and the peak
 * RSS, and the plan found (stages, logical mesh = DP x TP, micro-batches, predicted step and MFU against the GPU's
 * dense bf16 peak); `curve` is Llama-3-405B on 64 / 256 / 1,024 / 2,048 nodes of 8 H100 (Meta's RoCE fabric,
 * llama3-h100-roce); `loadAverage` the machine's 1-minute load before and after (wall times on a shared machine
 * stretch with it; CPU times much less). `--quick`: only the three goal cases, one run each unless --repeat says.
 * Goals (issue 14): 405B on 2,048 x 8 <= 10 s with peak < 1.5 GB; 70B on 128 x 8 <= 5 s; GPT-39B on 8x8 V100 <= 2 s;
 * search cost no worse than linear in nodes.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

interface Case { readonly id: string; readonly model: string; readonly cluster: string; readonly precision: string; readonly peakTflops: number }

const H100_BF16 = 989;
const V100_FP16 = 125;
const A100_FP16 = 312;
const CURVE_NODES = [64, 256, 1024, 2048];
const CASES: readonly Case[] = [
  ...CURVE_NODES.map((n) => ({ id: `llama-3-405B@${n}x8`, model: 'zoo:llama-3-405B', cluster: `llama3-h100-roce:${n}x8`, precision: 'bf16-mixed', peakTflops: H100_BF16 })),
  { id: 'llama-3-70B@128x8', model: 'zoo:llama-3-70B', cluster: 'dgx-h100:128x8', precision: 'bf16-mixed', peakTflops: H100_BF16 },
  { id: 'gpt-39B@8x8', model: 'zoo:gpt-39B', cluster: 'p3.16xlarge:8x8', precision: 'fp16-mixed', peakTflops: V100_FP16 },
  // Beside a published run (bench/scale/README.md): GPT-3 175B on 1,536 A100s (Megatron-LM, Selene's DGX A100 nodes).
  { id: 'gpt-175B@192x8', model: 'zoo:gpt-175B', cluster: 'dgx-a100:192x8', precision: 'fp16-mixed', peakTflops: A100_FP16 },
];

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const round = (x: number, d = 3) => Number(x.toFixed(d));

interface PlanJson {
  label: string; stepSeconds: number; microbatches: number; searchSeconds: number; modelTflopsPerGpu: number; feasible: boolean;
  stages: { layers: [number, number]; submeshShape: [number, number]; logicalMesh: [number, number]; remat: boolean }[];
}

const CLI = new URL('../../bin/meshplan.mjs', import.meta.url).pathname;

function runCli(c: Case, dir: string): { wallSeconds: number; cpuSeconds: number; peakRssBytes: number; plan: PlanJson } {
  const out = join(dir, 'plan.json');
  const timing = join(dir, 'time.txt');
  execFileSync('/usr/bin/time', ['-f', '%e %U %S %M', '-o', timing, 'sh', '-c',
    `node ${CLI} plan --model ${c.model} --cluster ${c.cluster} --precision ${c.precision} --json > ${out}`], { stdio: 'inherit' });
  const [wall, user, sys, kb] = readFileSync(timing, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
  return { wallSeconds: wall, cpuSeconds: user + sys, peakRssBytes: kb * 1024, plan: JSON.parse(readFileSync(out, 'utf8')) as PlanJson };
}

function structure(p: PlanJson, peakTflops: number) {
  const s = p.stages;
  const same = s.every((x) => x.logicalMesh[0] === s[0].logicalMesh[0] && x.logicalMesh[1] === s[0].logicalMesh[1]);
  return {
    label: p.label,
    feasible: p.feasible,
    pp: s.length,
    ...(same ? { dp: s[0].logicalMesh[0], tp: s[0].logicalMesh[1] } : { meshes: s.map((x) => x.logicalMesh.join('x')) }),
    microbatches: p.microbatches,
    remat: s.filter((x) => x.remat).length,
    stepSeconds: round(p.stepSeconds),
    modelTflopsPerGpu: round(p.modelTflopsPerGpu, 1),
    mfu: round(p.modelTflopsPerGpu / peakTflops, 3),
  };
}

const GOAL_CASES = ['llama-3-405B@2048x8', 'llama-3-70B@128x8', 'gpt-39B@8x8'];

function main(): void {
  const quick = process.argv.includes('--quick');
  const repeat = Number(arg('repeat') ?? (quick ? 1 : 3));
  const dir = mkdtempSync(join(tmpdir(), 'meshplan-scale-'));
  const cases: Record<string, unknown> = {};
  const curve: { nodes: number; searchSeconds: number; wallSeconds: number; cpuSeconds: number }[] = [];
  // The CLI bundles its sources on first use (bin/bundle.mjs): build it before anything is timed.
  execFileSync('node', [CLI, '--help'], { stdio: 'ignore' });
  const loadBefore = round(loadavg()[0], 2);
  for (const c of quick ? CASES.filter((x) => GOAL_CASES.includes(x.id)) : CASES) {
    const runs = Array.from({ length: repeat }, () => runCli(c, dir));
    const row = {
      model: c.model, cluster: c.cluster,
      wallSeconds: round(median(runs.map((r) => r.wallSeconds)), 2),
      cpuSeconds: round(median(runs.map((r) => r.cpuSeconds)), 2),
      searchSeconds: round(median(runs.map((r) => r.plan.searchSeconds)), 2),
      peakRssMiB: round(median(runs.map((r) => r.peakRssBytes)) / 2 ** 20, 0),
      runs: runs.map((r) => ({ wallSeconds: r.wallSeconds, cpuSeconds: round(r.cpuSeconds, 2), searchSeconds: round(r.plan.searchSeconds, 2) })),
      plan: structure(runs[0].plan, c.peakTflops),
    };
    cases[c.id] = row;
    const n = /^llama-3-405B@(\d+)x8$/.exec(c.id);
    if (n) curve.push({ nodes: Number(n[1]), searchSeconds: row.searchSeconds, wallSeconds: row.wallSeconds, cpuSeconds: row.cpuSeconds });
    process.stderr.write(`${c.id}: ${row.wallSeconds} s wall, ${row.cpuSeconds} s CPU, ${row.searchSeconds} s search, ${row.peakRssMiB} MiB\n`);
  }
  // Cost per node relative to the smallest cluster: <= 1 everywhere means no worse than linear.
  const base = curve[0];
  const growth = curve.length < 2 ? null : curve.map((p) => ({
    nodes: p.nodes, searchSeconds: p.searchSeconds, cpuSeconds: p.cpuSeconds,
    perNodeVsSmallest: round((p.cpuSeconds / p.nodes) / (base.cpuSeconds / base.nodes), 3),
  }));
  process.stdout.write(JSON.stringify({
    machine: `${availableParallelism()}-core machine, medians of ${repeat}`,
    loadAverage: { before: loadBefore, after: round(loadavg()[0], 2) },
    intra: 'ilp (CLI default)',
    goals: { 'llama-3-405B@2048x8': 'wall <= 10 s, peak < 1.5 GB', 'llama-3-70B@128x8': 'wall <= 5 s', 'gpt-39B@8x8': 'wall <= 2 s' },
    curve: growth,
    cases,
  }, null, 1) + '\n');
}

main();
