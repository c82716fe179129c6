/**
 * `meshplan export --format jax|megatron|trace|json --model M --cluster C [plan options] [-o FILE]`, or
 * `--plan plan.json` to export a saved plan (its model: --model, else the zoo model the plan names).
 * jax: a self-contained training script (workers/core/export/jaxScript.ts); megatron: Megatron-LM arguments, or
 * why not and the nearest Megatron plan with its predicted step; trace: Chrome trace JSON; json: plan JSON.
 */
import { chromeTrace } from '../core/export/chromeTrace.ts';
import { jaxScript } from '../core/export/jaxScript.ts';
import { megatronArgs } from '../core/export/megatronArgs.ts';
import { megatronText } from '../core/export/megatronText.ts';
import { exportablePlan, parsePlanJson, planToJson } from '../core/export/planJson.ts';
import type { ModelGraph } from '../core/ir/types.ts';
import { defaultPlanOptions, plan } from '../core/plan.ts';
import { PRECISIONS, type Plan, type Precision } from '../core/plan/types.ts';
import { LIMITS } from '../core/boundary/limits.ts';
import { oneLine } from '../core/boundary/text.ts';
import { CliError, intArg, oneOf, parseArgs, type ParsedArgs } from './args.ts';
import { checkOutputPath, readBounded, writeAtomic } from './files.ts';
import { loadModelArg } from './model.ts';
import { loadPlanArgs, PLAN_KEYS, type LoadedPlanArgs } from './plan.ts';

const FORMATS = ['jax', 'megatron', 'trace', 'json'] as const;
type Format = (typeof FORMATS)[number];

interface Exported {
  readonly plan: Plan;
  readonly graph?: ModelGraph;
  readonly precision: Precision;
  /** Present when the plan was made here: lets megatron look for the nearest Megatron plan. */
  readonly loaded?: LoadedPlanArgs;
}

async function planned(args: ParsedArgs): Promise<Exported> {
  const loaded = await loadPlanArgs(args);
  const r = await plan(loaded.model, loaded.cluster, loaded.options, undefined, undefined, loaded.deps);
  if (!r.ok) throw new CliError(oneLine(r.reason));
  return { plan: r.plan, graph: loaded.model, precision: loaded.options.precision, loaded };
}

async function saved(args: ParsedArgs, file: string): Promise<Exported> {
  // A plan JSON with every stage's sharding is a few MB; 256 MiB is far above any.
  const text = new TextDecoder().decode(await readBounded(file, 256 * 2 ** 20, 'plan file'));
  const r = parsePlanJson(text);
  if (!r.ok) throw new CliError(`${file}: ${oneLine(r.reason)}`);
  const p = r.plan;
  const tokens = p.stages[0]?.sharding?.tensors.find((t) => t.name === 'input_ids');
  const seq = intArg(args, 'seq', LIMITS.seq) ?? tokens?.shape[1];
  const spec = args.values.model ?? `zoo:${p.model}`;
  let graph: ModelGraph | undefined;
  try {
    graph = await loadModelArg(spec, { batch: p.globalBatch, seq });
  } catch (err) {
    if (args.values.model !== undefined) throw err;
  }
  const precision = oneOf<Precision>(args, 'precision', PRECISIONS) ?? (graph ? defaultPlanOptions(graph).precision : 'fp16-mixed');
  return { plan: p, graph, precision };
}

async function megatron(e: Exported): Promise<string> {
  if (megatronArgs(e.plan, e.graph, e.precision).ok) return megatronText(e.plan, e.graph, e.precision);
  if (!e.loaded) return megatronText(e.plan, e.graph, e.precision, 'export with --model and --cluster instead of --plan to get the nearest Megatron-LM plan');
  const { model, cluster, options, deps } = e.loaded;
  const near = await plan(model, cluster, { ...options, baseline: 'megatron', dp: undefined, tp: undefined, pp: undefined }, undefined, undefined, deps);
  return megatronText(e.plan, model, options.precision, near.ok ? near.plan : `no Megatron-LM plan either: ${near.reason}`);
}

async function render(format: Format, e: Exported): Promise<string> {
  switch (format) {
    case 'json': return planToJson(exportablePlan(e.plan).plan) + '\n';
    case 'trace': return JSON.stringify(chromeTrace(e.plan)) + '\n';
    case 'megatron': return megatron(e);
    case 'jax': {
      if (!e.graph) throw new CliError(`--format jax needs the model: '${e.plan.model}' is not a zoo model; pass --model`);
      const r = jaxScript(e.plan, e.graph, e.precision);
      if (!r.ok) throw new CliError(`cannot export to JAX: ${r.reason}`);
      return r.script;
    }
  }
}

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv.map((a) => (a === '-o' ? '--out' : a)), [...PLAN_KEYS.filter((k) => k !== 'trace'), 'format', 'plan', 'out'], ['json']);
  const format = oneOf<Format>(args, 'format', FORMATS);
  if (!format) throw new CliError(`missing --format (${FORMATS.join('|')})`);
  oneOf<Precision>(args, 'precision', PRECISIONS);
  const planFile = args.values.plan;
  if (!planFile && args.values.model === undefined) throw new CliError('missing --model (or --plan plan.json)');
  if (!planFile && args.values.cluster === undefined) throw new CliError('missing --cluster (or --plan plan.json)');
  // The output is checked before the plan is made, and written whole or not at all.
  const out = args.values.out;
  if (out !== undefined) await checkOutputPath(out, '-o');
  const e = planFile ? await saved(args, planFile) : await planned(args);
  const text = await render(format, e);
  if (out !== undefined) await writeAtomic(out, text, '-o');
  else process.stdout.write(text);
  return 0;
}
