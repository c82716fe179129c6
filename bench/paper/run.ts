/**
 * `npx tsx bench/paper/run.ts [--cases id,id] [--repeat N] [--intra ilp|manual]`: the paper's 21 cases
 * (../shared/reference/paper-eval.json) on `p3.16xlarge:<nodes>x<gpus>` with each case's global batch: search
 * time, predicted TFLOP/s per GPU of our plan and of every baseline, next to the paper's measured values, with
 * relative errors. Prints one JSON object.
 */
import { readFile } from 'node:fs/promises';
import { parseClusterSpec } from '../../workers/core/cluster/spec.ts';
import { BASELINE_KINDS } from '../../workers/core/baselines/index.ts';
import { defaultPlanOptions, plan, type PlanDeps } from '../../workers/core/plan.ts';
import type { Plan, PlanOptions } from '../../workers/core/plan/types.ts';
import { createHighsSolver } from '../../workers/core/intra/index.ts';
import { zooModel } from '../../workers/core/zoo/index.ts';

interface PaperCase {
  readonly id: string;
  readonly family: string;
  readonly name: string;
  readonly gpus: number;
  readonly nodes: number;
  readonly gpus_per_node: number;
  readonly global_batch: number;
  readonly dtype: string;
  readonly measured_tflops_per_gpu: Readonly<Record<string, number | null>>;
  readonly alpa_plan?: { readonly microbatches: number };
}

/** Which measured system each of our plans is compared with. */
const PAPER_SYSTEM: Readonly<Record<string, readonly string[]>> = {
  searched: ['alpa'],
  megatron: ['megatron'],
  dp: ['deepspeed'],
  zero3: [],
  'intra-only': ['alpa_intra_only'],
  'inter-only': ['alpa_inter_only', 'alpa_ppdp'],
};

/** The paper's runs: Wide-ResNet in fp32, GPT in fp16 with Adam, MoE in fp16 with Adafactor (cases.ts). */
function paperPrecision(c: PaperCase): PlanOptions['precision'] {
  return c.dtype === 'float32' ? 'fp32' : c.family === 'moe' ? 'fp16-adafactor' : 'fp16-mixed';
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function round(x: number, digits = 3): number {
  return Number.isFinite(x) ? Number(x.toFixed(digits)) : x;
}

function summary(p: Plan) {
  return {
    label: p.label,
    feasible: p.feasible,
    tflopsPerGpu: round(p.tflopsPerGpu, 2),
    modelTflopsPerGpu: round(p.modelTflopsPerGpu, 2),
    stepSeconds: round(p.stepSeconds, 3),
    microbatches: p.microbatches,
    stages: p.stages.map((s) => `${s.layers[0]}-${s.layers[1] - 1}@${s.submeshShape.join('x')}/${s.logicalMesh.join('x')}${s.remat ? '+remat' : ''}`).join(' '),
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(): Promise<void> {
  const path = process.env.MESHPLAN_PAPER_EVAL ?? new URL('../../../shared/reference/paper-eval.json', import.meta.url).pathname;
  const paper = JSON.parse(await readFile(path, 'utf8')) as { cases: PaperCase[] };
  const only = arg('cases')?.split(',');
  const repeat = Number(arg('repeat') ?? 3);
  const deps: PlanDeps = arg('intra') === 'manual' ? { intra: 'manual' } : { solver: createHighsSolver() };
  const rows: unknown[] = [];
  const gptErrors: number[] = [];
  const timing: Record<string, { medianSeconds: number; runs: number[] }> = {};
  for (const c of paper.cases) {
    if (only && !only.includes(c.id)) continue;
    const model = zooModel(`${c.family}-${c.name}`, { batch: c.global_batch });
    const cluster = parseClusterSpec(`p3.16xlarge:${c.nodes}x${c.gpus_per_node}`);
    const options: PlanOptions = { ...defaultPlanOptions(model), globalBatch: c.global_batch, precision: paperPrecision(c) };
    const timed = c.id === 'gpt-39B-64gpu' || c.id === 'wresnet-13B-64gpu';
    const runs: number[] = [];
    let ours: Plan | undefined;
    let reason: string | undefined;
    for (let k = 0; k < (timed ? repeat : 1); k++) {
      const t0 = performance.now();
      const r = await plan(model, cluster, options, undefined, undefined, deps);
      runs.push((performance.now() - t0) / 1000);
      if (r.ok) ours = r.plan; else reason = r.reason;
    }
    if (timed) timing[c.id] = { medianSeconds: round(median(runs), 3), runs: runs.map((x) => round(x, 3)) };
    const plans: Record<string, unknown> = {};
    const errors: Record<string, number | null> = {};
    const compare = (kind: string, p: Plan | undefined): void => {
      for (const sys of PAPER_SYSTEM[kind] ?? []) {
        const measured = c.measured_tflops_per_gpu[sys];
        if (measured === undefined) continue;
        errors[`${kind} vs ${sys}`] = measured === null || !p || !p.feasible ? null : round((p.tflopsPerGpu - measured) / measured, 4);
      }
    };
    plans.searched = ours ? summary(ours) : { error: reason };
    compare('searched', ours);
    if (ours && c.family === 'gpt' && c.measured_tflops_per_gpu.alpa) gptErrors.push((ours.tflopsPerGpu - c.measured_tflops_per_gpu.alpa) / c.measured_tflops_per_gpu.alpa);
    for (const kind of BASELINE_KINDS) {
      const r = await plan(model, cluster, { ...options, baseline: kind }, undefined, undefined, deps);
      plans[kind] = r.ok ? summary(r.plan) : { error: r.reason };
      compare(kind, r.ok ? r.plan : undefined);
    }
    rows.push({
      id: c.id, gpus: c.gpus, globalBatch: c.global_batch, precision: options.precision,
      searchSeconds: round(median(runs), 3),
      paper: c.measured_tflops_per_gpu,
      paperMicrobatches: c.alpa_plan?.microbatches ?? null,
      plans, errors,
    });
    process.stderr.write(`${c.id}: ${ours ? `${ours.tflopsPerGpu.toFixed(1)} TFLOP/s/GPU (paper ${c.measured_tflops_per_gpu.alpa})` : reason} in ${median(runs).toFixed(2)} s\n`);
  }
  const out = {
    cluster: 'p3.16xlarge (V100-16GB, NVLink, 25 Gbit/s between nodes)',
    intra: arg('intra') ?? 'ilp',
    tflopsDefinition: 'paper (recomputation counted when a stage rematerialises); modelTflopsPerGpu without',
    gptMaxAbsError: gptErrors.length ? round(Math.max(...gptErrors.map(Math.abs)), 4) : null,
    gptErrors: gptErrors.map((e) => round(e, 4)),
    timing,
    cases: rows,
  };
  process.stdout.write(JSON.stringify(out, null, 1) + '\n');
}

await main();
