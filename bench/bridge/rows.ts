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

type Run = { readonly model: string; readonly batch: number; readonly remat: boolean };
export const runFlags = (r: Run, cluster: string): string[] => [
  '--model', `zoo:${r.model}`, '--cluster', cluster, '--baseline', 'dp', '--remat', r.remat ? 'on' : 'off', '--microbatches', '1',
  '--precision', 'bf16-adam32', '--batch', String(r.batch), '--seq', '1024', '--runtime', 'xla'];

export const runKey = (r: Run) => `${r.model} b${r.batch} remat=${r.remat ? 'on' : 'off'}`;

/** One line of an exported script's output. */
export interface MeasuredRun {
  readonly model: string;
  readonly globalBatch: number;
  readonly remat: readonly boolean[];
  readonly stepSeconds?: number;
  readonly oom: boolean;
  readonly error?: string;
  readonly memory?: { readonly peakBytesInUse: number; readonly bytesLimit: number };
  readonly device?: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly async?: boolean;
  /** XLA's compiled memory_analysis() per program (absent where compilation itself ran out of memory). */
  readonly memoryAnalysis?: readonly ({ readonly argument_size_in_bytes: number; readonly temp_size_in_bytes: number } | null)[];
  readonly kernels?: { readonly byClassMs?: Readonly<Record<string, number>> };
}

/** A step's argument + temp bytes as XLA compiled it (what it holds: bench/bridge/README.md), if known. */
export const xlaStepBytes = (m: MeasuredRun): number | undefined => {
  const a = m.memoryAnalysis?.[0];
  return a ? a.argument_size_in_bytes + a.temp_size_in_bytes : undefined;
};

export function measuredLines(file: string): MeasuredRun[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as MeasuredRun);
}

export function measuredRuns(file = MEASURED_RUNS_FILE): Map<string, MeasuredRun> {
  return new Map(measuredLines(file).map((m) => [runKey({ model: m.model, batch: m.globalBatch, remat: m.remat[0] }), m]));
}
