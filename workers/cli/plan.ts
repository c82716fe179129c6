/**
 * `meshplan plan --model M --cluster C [--batch N] [--microbatches N|auto] [--schedule 1f1b|gpipe|eager-1f1b]
 *   [--remat auto|on|off] [--mode train|infer] [--baseline megatron|dp|zero3|intra-only|inter-only]
 *   [--dp N --tp N --pp N] [--precision P] [--seq N] [--layers N|auto] [--memory-gb G] [--intra ilp|manual]
 *   [--runtime megatron|xla] [--workers N]
 *   [--trace out.json] [--timeline] [--sharding] --json`
 * Prints the Plan (the timeline only with --timeline: it has tens of thousands of events, --trace writes it as a
 * Chrome trace; each stage's per-operator sharding only with --sharding).
 */
import { createNodePool } from '../pool/nodePool.ts';
import { poolIntraFn } from '../pool/intraJob.ts';
import { writeFile } from 'node:fs/promises';
import type { Cluster } from '../core/cluster/types.ts';
import { chromeTrace } from '../core/export/chromeTrace.ts';
import type { ModelGraph } from '../core/ir/types.ts';
import { defaultPlanOptions, plan, type PlanDeps } from '../core/plan.ts';
import { PRECISIONS, RUNTIMES, type BaselineKind, type Plan, type PlanOptions, type Precision, type Runtime, type ScheduleKind } from '../core/plan/types.ts';
import { CliError, parseArgs, positiveInt, required, type ParsedArgs } from './args.ts';
import { loadClusterArg } from './cluster.ts';
import { loadModelArg } from './model.ts';

export const PLAN_KEYS = ['model', 'cluster', 'batch', 'microbatches', 'schedule', 'remat', 'mode', 'baseline', 'dp', 'tp', 'pp',
  'precision', 'seq', 'layers', 'memory-gb', 'intra', 'objective', 'trace', 'runtime', 'workers'] as const;

function oneOf<T extends string>(args: ParsedArgs, key: string, allowed: readonly T[]): T | undefined {
  const v = args.values[key];
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) throw new CliError(`--${key} must be one of ${allowed.join('|')}, got '${v}'`);
  return v as T;
}

function intOrAuto(args: ParsedArgs, key: string): number | 'auto' | undefined {
  const v = args.values[key];
  if (v === undefined || v === 'auto') return v;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new CliError(`--${key} must be a positive integer or 'auto', got '${v}'`);
  return n;
}

export interface LoadedPlanArgs {
  readonly model: ModelGraph;
  readonly cluster: Cluster;
  readonly options: PlanOptions;
  readonly deps: PlanDeps;
}

/** Model, cluster, options and the intra-op pass from the command line (shared with `compare`). */
export async function loadPlanArgs(args: ParsedArgs): Promise<LoadedPlanArgs> {
  const batch = positiveInt(args, 'batch');
  const seq = positiveInt(args, 'seq');
  const model = await loadModelArg(required(args, 'model'), { batch, seq });
  const cluster = await loadClusterArg(required(args, 'cluster'));
  const base = defaultPlanOptions(model);
  const memoryGb = args.values['memory-gb'];
  if (memoryGb !== undefined && !(Number(memoryGb) > 0)) throw new CliError(`--memory-gb must be a positive number, got '${memoryGb}'`);
  const precision = oneOf<Precision>(args, 'precision', PRECISIONS);
  const runtime = oneOf<Runtime>(args, 'runtime', RUNTIMES);
  const options: PlanOptions = {
    ...base,
    ...(oneOf(args, 'mode', ['train', 'infer'] as const) ? { mode: oneOf(args, 'mode', ['train', 'infer'] as const)! } : {}),
    ...(intOrAuto(args, 'microbatches') !== undefined ? { microbatches: intOrAuto(args, 'microbatches')! } : {}),
    ...(oneOf<ScheduleKind>(args, 'schedule', ['1f1b', 'gpipe', 'eager-1f1b']) ? { schedule: oneOf<ScheduleKind>(args, 'schedule', ['1f1b', 'gpipe', 'eager-1f1b'])! } : {}),
    ...(oneOf(args, 'remat', ['auto', 'on', 'off'] as const) ? { remat: oneOf(args, 'remat', ['auto', 'on', 'off'] as const)! } : {}),
    ...(precision ? { precision } : {}),
    ...(intOrAuto(args, 'layers') !== undefined ? { layers: intOrAuto(args, 'layers')! } : {}),
    ...(oneOf<BaselineKind>(args, 'baseline', ['megatron', 'dp', 'zero3', 'intra-only', 'inter-only']) ? { baseline: oneOf<BaselineKind>(args, 'baseline', ['megatron', 'dp', 'zero3', 'intra-only', 'inter-only']) } : {}),
    ...(positiveInt(args, 'dp') !== undefined ? { dp: positiveInt(args, 'dp') } : {}),
    ...(positiveInt(args, 'tp') !== undefined ? { tp: positiveInt(args, 'tp') } : {}),
    ...(positiveInt(args, 'pp') !== undefined ? { pp: positiveInt(args, 'pp') } : {}),
    ...(memoryGb !== undefined ? { memoryLimitBytes: Number(memoryGb) * 2 ** 30 } : {}),
    ...(runtime ? { runtime } : {}),
    ...(oneOf(args, 'objective', ['latency', 'throughput'] as const) ? { inferObjective: oneOf(args, 'objective', ['latency', 'throughput'] as const) } : {}),
  };
  if ((options.dp || options.tp || options.pp) && options.baseline !== 'megatron') throw new CliError('--dp/--tp/--pp need --baseline megatron');
  const intra = oneOf(args, 'intra', ['ilp', 'manual'] as const) ?? 'ilp';
  const workers = positiveInt(args, 'workers') ?? 1;
  if (workers > 1 && intra !== 'ilp') throw new CliError('--workers fans out ILP solves; it needs --intra ilp');
  // In process by default: on a 2-core machine a worker's start-up (0.2-0.5 s) costs more than it saves for
  // searches of a few dozen solves. --workers N fans the stage-cost ILPs out over N worker_threads.
  const deps: PlanDeps = intra !== 'ilp' ? { intra: 'manual' }
    : workers > 1 ? { intra: poolIntraFn(createNodePool({ size: workers })), concurrency: workers } : {};
  return { model, cluster, options, deps };
}

/** The Plan as printed: without the per-event timeline and the per-operator sharding unless asked. */
export function printablePlan(p: Plan, withTimeline: boolean, withSharding = false): Record<string, unknown> {
  const { timeline, ...rest } = p;
  return {
    ...rest,
    stages: withSharding ? p.stages : p.stages.map(({ sharding: _s, ...s }) => s),
    timelineEvents: timeline.length,
    ...(withTimeline ? { timeline } : {}),
  };
}

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, PLAN_KEYS, ['json', 'timeline', 'sharding']);
  const { model, cluster, options, deps } = await loadPlanArgs(args);
  const result = await plan(model, cluster, options, undefined, undefined, deps);
  if (!result.ok) throw new CliError(result.reason);
  const p = result.plan;
  const trace = args.values.trace;
  if (trace) await writeFile(trace, JSON.stringify(chromeTrace(p)));
  if (args.flags.has('json')) {
    process.stdout.write(JSON.stringify(printablePlan(p, args.flags.has('timeline'), args.flags.has('sharding'))) + '\n');
  } else {
    process.stdout.write(`${p.explanation.summary}\n` + p.stages.map((s) =>
      `  stage ${s.index}: layers ${s.layers[0]}..${s.layers[1] - 1} on ${s.submeshShape.join('x')} (${s.gpu}) as ${s.logicalMesh.join('x')}` +
      `${s.remat ? ', remat' : ''}, ${(s.memoryBytesPerDevice / 2 ** 30).toFixed(2)} GiB/device`).join('\n') + '\n' +
      `  step ${p.stepSeconds.toFixed(3)} s, ${p.tflopsPerGpu.toFixed(1)} TFLOP/s per GPU (model ${p.modelTflopsPerGpu.toFixed(1)}), ` +
      `${p.samplesPerSecond.toFixed(1)} samples/s, search ${p.searchSeconds.toFixed(2)} s${p.feasible ? '' : ', INFEASIBLE'}\n`);
  }
  return 0;
}
