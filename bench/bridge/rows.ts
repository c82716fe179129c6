/**
 * bench/bridge (issue 13): Meshplan's predictions next to what real engines measured. Pure functions; run.ts prints
 * them as one JSON object, bridge.test.ts holds the numbers.
 * - the profile fit: a measured profile (h100-calibration-profile.json: the calibration's GEMM, bandwidth and NCCL
 *   measurements re-expressed in tools/profile-cluster's format) against the fitted cluster;
 * - the measured JAX steps of workers/core/cost/calibration/h100-e2e-steps.json predicted on that profiled cluster;
 * - the one-GPU runs (exported JAX scripts): predictions on the profiled cluster, and their measurements
 *   where a device run has written them (h100x1-runs.jsonl, one script output line each).
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from '../../workers/cli/args.ts';
import { loadPlanArgs, PLAN_KEYS } from '../../workers/cli/plan.ts';
import { clusterFromProfile, type ClusterProfile } from '../../workers/core/cost/clusterProfile.ts';
import type { GpuSpec } from '../../workers/core/cluster/types.ts';
import { fusionTraffic } from '../../workers/core/cost/fusion.ts';
import { opSeconds, tensorLookup } from '../../workers/core/cost/opCost.ts';
import type { Precision } from '../../workers/core/cost/precision.ts';
import { zooModel } from '../../workers/core/zoo/index.ts';
import type { ModelGraph } from '../../workers/core/ir/types.ts';
import { plan } from '../../workers/core/plan.ts';
import { E2E_ROWS, planPrediction, rowGraphs, rowKey, rowPlanFlags, summarise, type Prediction, type Summary } from '../fidelity/rows.ts';

const here = (name: string) => new URL(name, import.meta.url).pathname;
/** pair: the calibration's 2-GPU measurements as a profile (no 2-GPU machine was lent); single: profile.py run on
 * the lent H100 (2026-12-06). */
export const PROFILE_FILES = { pair: here('h100-calibration-profile.json'), single: here('h100x1-profile.json') } as const;
export const MEASURED_RUNS_FILE = here('h100x1-runs.jsonl');
/** The same scripts under other allocator settings (XLA_PYTHON_CLIENT_*), device-run.sh A and B. */
export const MEMORY_RUNS_FILE = here('h100x1-memory.jsonl');

export function profiled(file: string) {
  const r = clusterFromProfile(JSON.parse(readFileSync(file, 'utf8')) as ClusterProfile);
  if (typeof r === 'string') throw new Error(`${file}: ${r}`);
  return r;
}

/** Plans with CLI flags in-process, the cluster given as a file. */
export async function predict(flags: readonly string[], graph?: ModelGraph): Promise<{ p: Prediction; label: string; microbatches: number }> {
  const args = parseArgs([...flags], PLAN_KEYS, ['json', 'timeline']);
  const loaded = await loadPlanArgs(args);
  const r = await plan(graph ?? loaded.model, loaded.cluster, loaded.options, undefined, undefined, loaded.deps);
  if (!r.ok) throw new Error(`${flags.join(' ')}: ${r.reason}`);
  return { p: planPrediction(r.plan), label: r.plan.label, microbatches: r.plan.microbatches };
}

const withCluster = (flags: readonly string[], cluster: string) => flags.map((f, i) => (flags[i - 1] === '--cluster' ? cluster : f));

/** The calibration's measured JAX steps predicted on the profiled cluster (1-GPU rows on the one-GPU profile,
 * pairs on the two-GPU one). */
export async function calibrationRowsOnProfile(): Promise<Summary> {
  const graphs = rowGraphs();
  const out = [];
  for (const row of E2E_ROWS) {
    const file = row.plan === 'single' ? PROFILE_FILES.single : PROFILE_FILES.pair;
    const flags = withCluster(rowPlanFlags(row), file).filter((f) => f !== '--json');
    const { p } = await predict(['--model', 'zoo:gpt-tiny', ...flags], graphs.get(rowKey(row)));
    out.push({ row, p });
  }
  return summarise(out);
}

/** The one-GPU runs: model, batch, remat; each exported with `meshplan export --format jax` and these flags. */
export const GPU_RUNS = [
  { model: 'gpt-350M', batch: 8, remat: true }, { model: 'gpt-350M', batch: 8, remat: false },
  { model: 'gpt-350M', batch: 16, remat: true }, { model: 'gpt-350M', batch: 16, remat: false },
  { model: 'gpt-1.3B', batch: 8, remat: true }, { model: 'gpt-1.3B', batch: 8, remat: false },
] as const;

/** Larger programs run for the out-of-memory side (device-run.sh A): each must fail there, and be predicted to. */
export const OOM_SIDE_RUNS = [
  { model: 'gpt-760M', batch: 16, remat: false }, { model: 'gpt-2.6B', batch: 8, remat: false }, { model: 'gpt-1.3B', batch: 16, remat: false },
] as const;

/** One exported one-GPU run: data parallel over one H100, seq 1024, `--runtime xla`; bf16-adam32 and one
 * micro-batch unless named. */
export interface Run {
  readonly model: string;
  readonly batch: number;
  readonly remat: boolean;
  readonly microbatches?: number;
  readonly precision?: Precision;
}
export const runFlags = (r: Run, cluster: string): string[] => [
  '--model', `zoo:${r.model}`, '--cluster', cluster, '--baseline', 'dp', '--remat', r.remat ? 'on' : 'off', '--microbatches', String(r.microbatches ?? 1),
  '--precision', r.precision ?? 'bf16-adam32', '--batch', String(r.batch), '--seq', '1024', '--runtime', 'xla'];

export const runKey = (r: Run) => `${r.model} b${r.batch} remat=${r.remat ? 'on' : 'off'}`
  + ((r.microbatches ?? 1) > 1 ? ` mb${r.microbatches}` : '') + (r.precision && r.precision !== 'bf16-adam32' ? ` ${r.precision}` : '');

/** After the attention fix (device-run.sh C, then L for the two Llama rows after the grouped-query fix).
 * derived: the rows the last session measured, from which the fix (and the `--runtime xla` memory rule) was
 * derived; check: rows neither the fix nor the cost model was fitted on — other sizes, micro-batch counts,
 * precisions (fp16 with master weights, bf16 with master weights), a grouped-query Llama. */
export const FIXED_RUNS: readonly (Run & { readonly sample: 'derived' | 'check' })[] = [
  { model: 'gpt-350M', batch: 8, remat: true, sample: 'derived' }, { model: 'gpt-350M', batch: 8, remat: false, sample: 'derived' },
  { model: 'gpt-350M', batch: 16, remat: true, sample: 'derived' }, { model: 'gpt-1.3B', batch: 8, remat: true, sample: 'derived' },
  { model: 'gpt-760M', batch: 8, remat: false, sample: 'derived' },
  { model: 'gpt-350M', batch: 16, remat: false, sample: 'derived' }, { model: 'gpt-1.3B', batch: 8, remat: false, sample: 'derived' },
  { model: 'gpt-760M', batch: 8, remat: true, sample: 'check' }, { model: 'gpt-760M', batch: 16, remat: true, sample: 'check' },
  { model: 'gpt-1.3B', batch: 16, remat: true, sample: 'check' }, { model: 'gpt-2.6B', batch: 8, remat: true, sample: 'check' },
  { model: 'gpt-350M', batch: 8, remat: true, microbatches: 2, sample: 'check' },
  { model: 'gpt-350M', batch: 16, remat: false, microbatches: 4, sample: 'check' },
  { model: 'gpt-350M', batch: 8, remat: true, precision: 'fp16-mixed', sample: 'check' },
  { model: 'gpt-350M', batch: 8, remat: false, precision: 'fp16-mixed', sample: 'check' },
  { model: 'gpt-1.3B', batch: 8, remat: true, precision: 'fp16-mixed', sample: 'check' },
  { model: 'gpt-1.3B', batch: 8, remat: true, precision: 'bf16-mixed', sample: 'check' },
  { model: 'tinyllama-1.1B', batch: 8, remat: true, sample: 'check' }, { model: 'tinyllama-1.1B', batch: 4, remat: false, sample: 'check' },
];
/** device-run.sh C's lines (every row; the two Llama rows before the grouped-query fix), L's (the Llama rows after). */
export const FIXED_RUNS_FILES = { c: here('h100x1-c-runs.jsonl'), l: here('h100x1-l-runs.jsonl') } as const;
/** Two steps dispatched back to back (--async), and the fold run (two stages on one GPU), device-run.sh C. */
export const ASYNC_RUNS_FILE = here('h100x1-c-async.jsonl');
export const FOLD_RUN_FILE = here('h100x1-c-fold.jsonl');

/** One line of an exported script's output. */
export interface MeasuredRun {
  readonly plan?: string;
  readonly model: string;
  readonly globalBatch: number;
  readonly remat: readonly boolean[];
  readonly microbatches?: number;
  /** The script's dtypes (absent in lines written before device-run.sh C: bf16-adam32). */
  readonly precision?: { readonly params: string; readonly master: boolean };
  readonly stepSeconds?: number;
  readonly oom: boolean;
  readonly error?: string;
  readonly memory?: { readonly peakBytesInUse: number; readonly bytesLimit: number };
  readonly device?: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly async?: boolean;
  /** XLA's compiled memory_analysis() per program (absent where compilation itself ran out of memory). */
  readonly memoryAnalysis?: readonly ({ readonly argument_size_in_bytes: number; readonly temp_size_in_bytes: number } | null)[];
  readonly kernels?: { readonly spanMs?: number; readonly byClassMs?: Readonly<Record<string, number>>; readonly top?: readonly { name: string; ms: number; count: number }[] };
  readonly loss?: number;
}

const PRECISION_OF: Readonly<Record<string, Precision>> = { 'f16 master': 'fp16-mixed', 'bf16 master': 'bf16-mixed', bf16: 'bf16-adam32', f32: 'fp32' };

/** The run a measured line is of. */
export const lineRun = (m: MeasuredRun): Run => ({
  model: m.model, batch: m.globalBatch, remat: m.remat[0], microbatches: m.microbatches ?? 1,
  precision: m.precision ? PRECISION_OF[`${m.precision.params}${m.precision.master ? ' master' : ''}`] : 'bf16-adam32',
});

/** A step's argument + temp bytes as XLA compiled it (what it holds: bench/bridge/README.md), if known. */
export const xlaStepBytes = (m: MeasuredRun): number | undefined => {
  const a = m.memoryAnalysis?.[0];
  return a ? a.argument_size_in_bytes + a.temp_size_in_bytes : undefined;
};

export function measuredLines(file: string): MeasuredRun[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as MeasuredRun);
}

/** Measured lines by run; a later file's line replaces an earlier one's. */
export function measuredRuns(...files: string[]): Map<string, MeasuredRun> {
  return new Map((files.length ? files : [MEASURED_RUNS_FILE]).flatMap(measuredLines).map((m) => [runKey(lineRun(m)), m]));
}

/** A step in two pieces a kernel trace can check (device-run.sh --trace): GEMM seconds (the model's dot ops:
 * forward, the recomputed forward of block dots under remat, backward; per micro-batch) against the trace's GEMM
 * kernels, and the rest of the step (memory-bound kernels, copies, the optimizer) against the rest. */
export interface Pieces {
  readonly gemm: { readonly predicted: number; readonly measured: number };
  readonly rest: { readonly predicted: number; readonly measured: number };
}

/** A block's op (GPT `gpt/h.N/`, Llama `llama/layers.N/`): recomputed under remat. */
const BLOCK_OP = /\/(h|layers)\.\d+\//;

/** The model's seconds for a step's score-sized memory-bound ops (each block's attention scale_mask and softmax,
 * priced fused): forward, recomputed forward under remat, backward; per micro-batch. */
export function scoreOpSeconds(r: Run, gpu: GpuSpec): number {
  const mb = r.microbatches ?? 1;
  const g = zooModel(r.model, { batch: r.batch / mb, seq: 1024 });
  const t = tensorLookup(g);
  const precision = r.precision ?? 'bf16-adam32';
  const fused = fusionTraffic(g, precision);
  let s = 0;
  for (const op of g.ops.filter((o) => /\/(scale_mask|softmax)$/.test(o.name) && BLOCK_OP.test(o.name))) {
    const f = fused.get(op.id);
    const c = opSeconds(op, t, gpu, precision, 1, f ? { fused: f } : {});
    s += (c.forwardSeconds * (r.remat ? 2 : 1) + c.backwardSeconds) * mb;
  }
  return s;
}

export function stepPieces(r: Run, m: MeasuredRun, predictedStepSeconds: number, gpu: GpuSpec): Pieces | undefined {
  const gemmMs = m.kernels?.byClassMs?.gemm;
  if (gemmMs === undefined || !m.stepSeconds) return undefined;
  const mb = r.microbatches ?? 1;
  const g = zooModel(r.model, { batch: r.batch / mb, seq: 1024 });
  const t = tensorLookup(g);
  let gemm = 0;
  for (const op of g.ops.filter((o) => o.kind === 'dot')) {
    const c = opSeconds(op, t, gpu, r.precision ?? 'bf16-adam32');
    const recomputed = r.remat && BLOCK_OP.test(op.name);
    gemm += (c.forwardSeconds * (recomputed ? 2 : 1) + c.backwardSeconds) * mb;
  }
  return { gemm: { predicted: gemm, measured: gemmMs / 1e3 }, rest: { predicted: predictedStepSeconds - gemm, measured: m.stepSeconds - gemmMs / 1e3 } };
}
