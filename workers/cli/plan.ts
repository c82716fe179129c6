/**
 * `meshplan plan --model M --cluster C [--batch N] [--microbatches N|auto] [--schedule 1f1b|gpipe|eager-1f1b|interleaved|zb-h1|zb-v|auto]
 *   [--remat auto|on|off|selective] [--mode train|infer] [--baseline megatron|dp|zero3|intra-only|inter-only]
 *   [--dp N --tp N --pp N] [--zero 0|1|2|3|auto] [--ep N] [--capacity-factor F] [--sp on|off|auto] [--cp N] [--cp-kind ring|ulysses]
 *   [--cp-split balanced|contiguous] [--attention auto|fused|naive]
 *   [--precision P] [--seq N] [--layers N|auto] [--memory-gb G] [--intra ilp|manual]
 *   [--runtime megatron|xla] [--workers N]
 *   [--trace out.json] [--timeline] [--sharding] --json`
 * Prints the Plan (the timeline only with --timeline: it has tens of thousands of events, --trace writes it as a
 * Chrome trace; each stage's per-operator sharding only with --sharding).
 */
import { createNodePool } from '../pool/nodePool.ts';
import { createHighsSolver } from '../core/solver/highs.ts';
import { poolIntraFn, PRELOAD_JOB } from '../pool/intraJob.ts';
import { bundleUrl, takeIlpThread } from './host.ts';
import type { Cluster } from '../core/cluster/types.ts';
import { chromeTrace } from '../core/export/chromeTrace.ts';
import type { ModelGraph } from '../core/ir/types.ts';
import { defaultPlanOptions, plan, type PlanDeps } from '../core/plan.ts';
import { PRECISIONS, RUNTIMES, type BaselineKind, type Plan, type PlanOptions, type Precision, type Runtime, type ScheduleChoice } from '../core/plan/types.ts';
import { LIMITS, type Range } from '../core/boundary/limits.ts';
import { oneLine } from '../core/boundary/text.ts';
import { CliError, intArg, numberArg, oneOf, parseArgs, required, type ParsedArgs } from './args.ts';
import { checkOutputPath, writeAtomic } from './files.ts';
import { loadClusterArg } from './cluster.ts';
import { loadModelArg } from './model.ts';
import { ATTENTION_CHOICES, CP_KINDS, CP_SPLITS } from '../core/plan/types.ts';
import { interruptOnSigint } from './interrupt.ts';
import { terminalProgress } from './progress.ts';

/** Profile jobs in flight at once with the ILP on its own thread: every one. Each solve is posted to the thread at once
 * (jobsPerWorker), which runs them in order while this thread prices the templates and the seeds: a thread that
 * waits for this one to post its next solve would idle while this one works (GPT-39B on 8x8: ~0.3 s). */
const ILP_JOBS_IN_FLIGHT = Number.POSITIVE_INFINITY;

export const PLAN_KEYS = ['model', 'cluster', 'batch', 'microbatches', 'schedule', 'remat', 'mode', 'baseline', 'dp', 'tp', 'pp',
  'precision', 'seq', 'layers', 'memory-gb', 'intra', 'objective', 'trace', 'runtime', 'workers', 'zero', 'ep', 'capacity-factor',
  'sp', 'cp', 'cp-kind', 'cp-split', 'attention'] as const;

/** Expert capacity over tokens x top_k / experts (PlanOptions.capacityFactor). */
const CAPACITY_FACTOR_RANGE: Range = { min: 0, max: 16, integer: false, minExclusive: true, reason: 'expert capacity is a small multiple of the balanced load' };

function intOrAuto(args: ParsedArgs, key: string, r: Range): number | 'auto' | undefined {
  return args.values[key] === 'auto' ? 'auto' : intArg(args, key, r);
}

/** --schedule values: interleaved is Megatron's interleaved 1F1B, its chunks per device chosen by the search; auto lets
 * the search pick the schedule too (inter/schedulePricing.ts). */
const SCHEDULE_FLAGS: readonly ScheduleChoice[] = ['1f1b', 'gpipe', 'eager-1f1b', 'interleaved', 'zb-h1', 'zb-v', 'auto'];

export interface LoadedPlanArgs {
  readonly model: ModelGraph;
  readonly cluster: Cluster;
  readonly options: PlanOptions;
  readonly deps: PlanDeps;
  /** Stops the ILP's worker thread (queued solves included) once the caller's searches are over. */
  readonly dispose: () => void;
}

/** Model, cluster, options and the intra-op pass from the command line (shared with `compare`). */
export async function loadPlanArgs(args: ParsedArgs): Promise<LoadedPlanArgs> {
  // Every option is read (and refused) before the model is built or a file is read.
  const batch = intArg(args, 'batch', LIMITS.globalBatch);
  const seq = intArg(args, 'seq', LIMITS.seq);
  const memoryGb = numberArg(args, 'memory-gb', LIMITS.memoryGb);
  const mode = oneOf(args, 'mode', ['train', 'infer'] as const);
  const microbatches = intOrAuto(args, 'microbatches', LIMITS.microbatches);
  const schedule = oneOf<ScheduleChoice>(args, 'schedule', SCHEDULE_FLAGS);
  const remat = oneOf(args, 'remat', ['auto', 'on', 'off', 'selective'] as const);
  const precision = oneOf<Precision>(args, 'precision', PRECISIONS);
  const layers = intOrAuto(args, 'layers', LIMITS.layers);
  const baseline = oneOf<BaselineKind>(args, 'baseline', ['megatron', 'dp', 'zero3', 'intra-only', 'inter-only']);
  const dp = intArg(args, 'dp', LIMITS.parallelDegree);
  const tp = intArg(args, 'tp', LIMITS.parallelDegree);
  const pp = intArg(args, 'pp', LIMITS.parallelDegree);
  // --zero: forces a ZeRO level on every stage (search and Megatron baselines); auto lets each choose.
  const zero = oneOf(args, 'zero', ['0', '1', '2', '3', 'auto'] as const);
  // MoE models: --ep forces every stage's expert-parallel degree (1: experts tensor-parallel), else the search picks.
  const ep = intArg(args, 'ep', LIMITS.parallelDegree);
  const capacityFactor = numberArg(args, 'capacity-factor', CAPACITY_FACTOR_RANGE);
  // Sequence / context parallelism: for the search (per stage) and for Megatron baselines (inter/seqParallel.ts).
  const sp = oneOf(args, 'sp', ['on', 'off', 'auto'] as const);
  const cp = intArg(args, 'cp', LIMITS.parallelDegree);
  const cpKind = oneOf(args, 'cp-kind', CP_KINDS);
  if (cpKind && cp === undefined) throw new CliError('--cp-kind needs --cp N');
  // Ring CP's causal split (balanced 2cp chunks by default) and fused / naive attention (default the runtime's).
  const cpSplit = oneOf(args, 'cp-split', CP_SPLITS);
  const attention = oneOf(args, 'attention', ATTENTION_CHOICES);
  const runtime = oneOf<Runtime>(args, 'runtime', RUNTIMES);
  const objective = oneOf(args, 'objective', ['latency', 'throughput'] as const);
  if ((dp || tp || pp) && baseline !== 'megatron') throw new CliError('--dp/--tp/--pp need --baseline megatron');
  if (zero !== undefined && baseline && baseline !== 'megatron') throw new CliError(`--zero applies to the search and --baseline megatron; --baseline ${baseline} fixes its own`);
  const intra = oneOf(args, 'intra', ['ilp', 'manual'] as const) ?? 'ilp';
  const workers = intArg(args, 'workers', LIMITS.workers) ?? 1;
  if (workers > 1 && intra !== 'ilp') throw new CliError('--workers fans out ILP solves; it needs --intra ilp');
  // The search's ILP solves run on one worker thread: the one bin/meshplan.mjs started before it loaded the CLI, on a
  // bundle of the intra-op pass alone (pool/ilpThread.ts), else one that loads the CLI's own bundle (cli/host.ts).
  // HiGHS compiles there while the model is built, and the baselines' seeds run on this thread while it solves
  // (core/plan.ts). From the sources (tsx) the solver runs in process; --workers N fans the solves out over N threads.
  const useThread = intra === 'ilp' && workers <= 1 && !baseline;
  const started = useThread ? takeIlpThread() : undefined;
  const ilpBundle = useThread ? started?.bundleUrl ?? bundleUrl() : undefined;
  const ilpPool = ilpBundle ? createNodePool({ size: 1, bundleUrl: ilpBundle, started, jobsPerWorker: Number.POSITIVE_INFINITY }) : undefined;
  ilpPool?.run({ name: PRELOAD_JOB, input: null }).catch(() => undefined);
  // Baselines do not use the ILP.
  const solver = intra === 'ilp' && workers <= 1 && !baseline && !ilpPool ? createHighsSolver() : undefined;
  solver?.preload?.();
  const dispose = (): void => void ilpPool?.terminate();
  let model: ModelGraph;
  let cluster: Cluster;
  try {
    model = await loadModelArg(required(args, 'model'), { batch, seq });
    cluster = await loadClusterArg(required(args, 'cluster'));
  } catch (err) {
    dispose();
    throw err;
  }
  const options: PlanOptions = {
    ...defaultPlanOptions(model),
    ...(mode ? { mode } : {}),
    ...(microbatches !== undefined ? { microbatches } : {}),
    ...(schedule ? { schedule } : {}),
    ...(remat ? { remat } : {}),
    ...(precision ? { precision } : {}),
    ...(layers !== undefined ? { layers } : {}),
    ...(baseline ? { baseline } : {}),
    ...(dp !== undefined ? { dp } : {}),
    ...(tp !== undefined ? { tp } : {}),
    ...(pp !== undefined ? { pp } : {}),
    ...(zero !== undefined ? { zero: zero === 'auto' ? 'auto' : (Number(zero) as 0 | 1 | 2 | 3) } : {}),
    ...(ep !== undefined ? { ep } : {}),
    ...(capacityFactor !== undefined ? { capacityFactor } : {}),
    ...(sp ? { sp } : {}),
    ...(cp !== undefined ? { cp } : {}),
    ...(cpKind ? { cpKind } : {}),
    ...(cpSplit ? { cpSplit } : {}),
    ...(attention ? { attention } : {}),
    ...(memoryGb !== undefined ? { memoryLimitBytes: memoryGb * 2 ** 30 } : {}),
    ...(runtime ? { runtime } : {}),
    ...(objective ? { inferObjective: objective } : {}),
  };
  // --workers N fans the stage-cost ILPs out over N worker_threads (through tsx: ~1 s of start-up each).
  const deps: PlanDeps = intra !== 'ilp' ? { intra: 'manual' }
    : workers > 1 ? { intra: poolIntraFn(createNodePool({ size: workers })), concurrency: workers }
    : ilpPool ? { intra: poolIntraFn(ilpPool), concurrency: ILP_JOBS_IN_FLIGHT } : solver ? { solver } : {};
  return { model, cluster, options, deps, dispose };
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
  const trace = args.values.trace;
  // The output is checked before the search, which may take minutes: a typo in the folder fails at once.
  if (trace !== undefined) await checkOutputPath(trace, '--trace');
  const { model, cluster, options, deps, dispose } = await loadPlanArgs(args);
  const progress = terminalProgress();
  const stop = interruptOnSigint();
  // Each stage's per-operator sharding is described only when printed (8 candidates' worth of work otherwise).
  const withSharding = args.flags.has('sharding');
  const result = await plan(model, cluster, options, progress.onProgress, stop.signal, { ...deps, describeSharding: withSharding }).finally(() => { progress.done(); stop.dispose(); dispose(); });
  if (!result.ok) throw new CliError(oneLine(result.reason));
  const p = result.plan;
  if (trace !== undefined) await writeAtomic(trace, JSON.stringify(chromeTrace(p)), '--trace');
  if (args.flags.has('json')) {
    process.stdout.write(JSON.stringify(printablePlan(p, args.flags.has('timeline'), withSharding)) + '\n');
  } else {
    process.stdout.write(`${p.explanation.summary}\n` + p.stages.map((s) =>
      `  stage ${s.index}: layers ${s.layers[0]}..${s.layers[1] - 1} on ${s.submeshShape.join('x')} (${s.gpu}) as ${s.logicalMesh.join('x')}` +
      `${s.sequenceParallel ? ', SP' : ''}${s.contextParallel ? `, CP ${s.contextParallel.degree} (${s.contextParallel.kind})` : ''}` +
      `${s.remat ? ', remat' : s.recompute === 'selective' ? ', selective recompute' : ''}, ${(s.memoryBytesPerDevice / 2 ** 30).toFixed(2)} GiB/device`).join('\n') + '\n' +
      `  step ${p.stepSeconds.toFixed(3)} s, ${p.tflopsPerGpu.toFixed(1)} TFLOP/s per GPU (model ${p.modelTflopsPerGpu.toFixed(1)}), ` +
      `${p.samplesPerSecond.toFixed(1)} samples/s, search ${p.searchSeconds.toFixed(2)} s${p.feasible ? '' : ', INFEASIBLE'}\n`);
  }
  return 0;
}
